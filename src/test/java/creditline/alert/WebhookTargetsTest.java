package creditline.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;

class WebhookTargetsTest {
    private static final WebhookTargets DENY = new WebhookTargets(false);

    @Test
    void loopbackPrivateLinkLocalAndUnspecifiedAddressesArePrivate() throws Exception {
        for (String a : new String[] {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                "0.0.0.0", "100.64.0.1", "100.127.255.254", "224.0.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1"}) {
            assertThat(WebhookTargets.isPrivate(InetAddress.getByName(a))).as(a).isTrue();
        }
        for (String a : new String[] {"8.8.8.8", "172.32.0.1", "100.128.0.1", "203.0.113.7", "2001:4860:4860::8888"}) {
            assertThat(WebhookTargets.isPrivate(InetAddress.getByName(a))).as(a).isFalse();
        }
    }

    @Test
    void denyingRefusesAUrlThatResolvesToAPrivateAddressAllowingRefusesNothing() {
        assertThat(DENY.refusal(URI.create("http://127.0.0.1:9/hook"))).contains("resolves to 127.0.0.1");
        assertThat(DENY.refusal(URI.create("http://localhost/hook"))).contains("private or loopback");
        assertThat(DENY.refusal(URI.create("https://[::1]/hook"))).isNotNull();
        assertThat(DENY.refusal(URI.create("https://8.8.8.8/hook"))).isNull();
        assertThat(new WebhookTargets(true).refusal(URI.create("http://127.0.0.1:9/hook"))).isNull();
    }
}
