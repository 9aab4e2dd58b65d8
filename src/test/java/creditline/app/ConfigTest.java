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
}
