package creditline.store;

import creditline.testing.Databases;

class SqliteRateCardStorageTest extends RateCardStorageContract {
    @Override
    String freshDatabase() {
        return Databases.freshSqlite();
    }
}
