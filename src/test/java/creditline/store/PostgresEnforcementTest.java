package creditline.store;

import creditline.testing.Databases;

class PostgresEnforcementTest extends EnforcementContract {
    @Override
    String freshDatabase() {
        return Databases.freshPostgres();
    }
}
