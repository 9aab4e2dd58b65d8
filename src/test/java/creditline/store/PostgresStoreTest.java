package creditline.store;

import creditline.testing.Databases;

class PostgresStoreTest extends StoreContract {
    @Override
    String freshDatabase() {
        return Databases.freshPostgres();
    }
}
