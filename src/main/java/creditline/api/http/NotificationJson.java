package creditline.api.http;

import creditline.store.Alerts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of stored notifications, shared by REST ({@code …/notifications},
 * {@code /v1/me/notifications}) and GraphQL ({@code notifications}), so both answer the same fields.
 */
public final class NotificationJson {
    private NotificationJson() {}

    public static List<Map<String, Object>> of(List<Alerts.Notification> list) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Alerts.Notification n : list) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", n.id());
            m.put("kind", n.kind());
            m.put("scope", n.scope());
            m.put("memberId", n.memberId().isEmpty() ? null : n.memberId());
            m.put("thresholdPercent", n.thresholdPercent());
            m.put("periodStart", n.periodStart().toString());
            m.put("createdAt", n.createdAt().toString());
            m.put("delivered", n.delivered());
            out.add(m);
        }
        return out;
    }
}
