package creditline.store;

import creditline.testing.Databases;

class SqliteStoreTest extends StoreContract {
    @Override
    String freshDatabase() {
        return Databases.freshSqlite();
    }
}
