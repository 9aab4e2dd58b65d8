package creditline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void postgresWritersDefaultToTwoAndAreRefusedOutsideOneToSixteen() {
        assertThat(Config.fromEnv(Map.of()).postgresWriters()).isEqualTo(2);
        assertThat(Config.fromEnv(Map.of("CREDITLINE_POSTGRES_WRITERS", "1")).postgresWriters()).isEqualTo(1);
        assertThat(Config.fromEnv(Map.of("CREDITLINE_POSTGRES_WRITERS", "16")).postgresWriters()).isEqualTo(16);
        for (String bad : new String[] {"0", "17", "two", "-1"}) {
            assertThatThrownBy(() -> Config.fromEnv(Map.of("CREDITLINE_POSTGRES_WRITERS", bad)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("CREDITLINE_POSTGRES_WRITERS must be a whole number from 1 to 16 (writers), got '" + bad + "'");
        }
    }

    @Test
    void theDefaultDatabaseIsInTheDataDir() {
        assertThat(Config.fromEnv(Map.of()).db()).isEqualTo("sqlite:./data/creditline.db");
        assertThat(Config.fromEnv(Map.of("CREDITLINE_DATA_DIR", "/var/lib/creditline")).db()).isEqualTo("sqlite:/var/lib/creditline/creditline.db");
        assertThat(Config.fromEnv(Map.of("CREDITLINE_DATA_DIR", "/srv", "CREDITLINE_DB", "sqlite:/tmp/x.db")).db()).isEqualTo("sqlite:/tmp/x.db");
        assertThat(Config.fromEnv(Map.of("CREDITLINE_DB", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres")).db())
                .isEqualTo("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    }

    @Test
    void aDatabaseOfAnotherKindIsRefused() {
        for (String bad : new String[] {"mysql://localhost/x", "sqlite:", "./data/creditline.db", "jdbc:mysql://localhost/x"}) {
            assertThatThrownBy(() -> Config.fromEnv(Map.of("CREDITLINE_DB", bad)))
                    .isInstanceOf(Config.Invalid.class)
                    .hasMessage("CREDITLINE_DB must be sqlite:PATH or jdbc:postgresql://HOST:PORT/DB, got '" + bad + "'");
        }
    }

    @Test
    void webhooksToPrivateAddressesAreAllowedUnlessDenied() {
        assertThat(Config.fromEnv(Map.of()).webhookPrivateAddresses()).isTrue();
        assertThat(Config.fromEnv(Map.of("CREDITLINE_WEBHOOK_PRIVATE_ADDRESSES", "deny")).webhookPrivateAddresses()).isFalse();
        assertThatThrownBy(() -> Config.fromEnv(Map.of("CREDITLINE_WEBHOOK_PRIVATE_ADDRESSES", "no")))
                .isInstanceOf(Config.Invalid.class).hasMessage("CREDITLINE_WEBHOOK_PRIVATE_ADDRESSES must be allow or deny, got 'no'");
    }
}
