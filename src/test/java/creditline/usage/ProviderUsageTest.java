package creditline.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import creditline.pricing.TokenCounts;
import org.junit.jupiter.api.Test;

class ProviderUsageTest {
    @Test
    void openAiPromptTokensIncludeCachedOnes() {
        assertThat(ProviderUsage.fromOpenAi(1_000, 200, 300)).isEqualTo(new TokenCounts(700, 200, 0, 300));
        assertThat(ProviderUsage.fromOpenAi(1_000, 200, 0)).isEqualTo(new TokenCounts(1_000, 200, 0, 0));
        assertThat(ProviderUsage.fromOpenAi(300, 0, 300)).isEqualTo(new TokenCounts(0, 0, 0, 300));
    }

    @Test
    void openAiCachedAbovePromptIsInconsistent() {
        assertThatThrownBy(() -> ProviderUsage.fromOpenAi(100, 5, 101)).hasMessageContaining("cached_tokens (101) exceeds prompt_tokens (100)");
    }

    @Test
    void anthropicInputExcludesCacheTokens() {
        assertThat(ProviderUsage.fromAnthropic(50, 400, 2_000, 10_000)).isEqualTo(new TokenCounts(50, 400, 2_000, 10_000));
        assertThatThrownBy(() -> ProviderUsage.fromAnthropic(-1, 0, 0, 0)).hasMessageContaining("input_tokens must not be negative");
    }
}
