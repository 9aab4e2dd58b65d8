package creditline.alert;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Which hosts webhooks may be delivered to. With private addresses denied
 * ({@code CREDITLINE_WEBHOOK_PRIVATE_ADDRESSES=deny}), a URL whose host resolves to a loopback,
 * private, link-local, unspecified or multicast address is refused when registered and again before
 * each delivery (a name may resolve elsewhere later), so an org's admin cannot make the server
 * call into its own network.
 */
public record WebhookTargets(boolean privateAllowed) {
    /** Null when the URL may be called; else why not. */
    public String refusal(URI url) {
        if (privateAllowed) return null;
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(url.getHost());
        } catch (UnknownHostException e) {
            return "its host " + url.getHost() + " does not resolve";
        }
        for (InetAddress a : addresses) {
            if (isPrivate(a)) {
                return "its host " + url.getHost() + " resolves to " + a.getHostAddress()
                        + ", a private or loopback address, and this deployment delivers webhooks to public addresses only";
            }
        }
        return null;
    }

    static boolean isPrivate(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress() || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) return (b[0] & 0xfe) == 0xfc; // unique local fc00::/7
        return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64; // carrier-grade NAT 100.64.0.0/10
    }
}
