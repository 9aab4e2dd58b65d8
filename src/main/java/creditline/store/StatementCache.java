package creditline.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps a SQLite connection's prepared statements for reuse: SQLite compiles SQL on every
 * {@code prepareStatement}, which costs more than running most of our statements. The wrapped
 * connection hands out cached statements whose {@code close()} only clears them, so callers
 * keep writing plain try-with-resources JDBC. At most {@link #STATEMENTS_MAX} statements per
 * connection (least recently used closed first). PostgreSQL's driver caches statements itself.
 */
final class StatementCache {
    static final int STATEMENTS_MAX = 256;

    private StatementCache() {}

    static Connection wrap(Connection connection) {
        Map<String, ReusableStatement> cache = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ReusableStatement> eldest) {
                if (size() <= STATEMENTS_MAX) return false;
                eldest.getValue().closeForGood();
                return true;
            }
        };
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("prepareStatement") && args != null && args.length == 1 && args[0] instanceof String sql) {
                ReusableStatement cached = cache.get(sql);
                if (cached == null || cached.driverStatementClosed()) {
                    cached = new ReusableStatement(connection.prepareStatement(sql));
                    cache.put(sql, cached);
                }
                return cached;
            }
            if (method.getName().equals("close")) {
                for (ReusableStatement ps : cache.values()) ps.closeForGood();
                cache.clear();
            }
            return invoke(connection, method, args);
        };
        return (Connection) Proxy.newProxyInstance(StatementCache.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
