package creditline.store;

import creditline.testing.Databases;

class PostgresRateCardStorageTest extends RateCardStorageContract {
    @Override
    String freshDatabase() {
        return Databases.freshPostgres();
    }
}
