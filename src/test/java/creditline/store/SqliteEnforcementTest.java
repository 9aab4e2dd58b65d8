package creditline.store;

import creditline.testing.Databases;

class SqliteEnforcementTest extends EnforcementContract {
    @Override
    String freshDatabase() {
        return Databases.freshSqlite();
    }
}
