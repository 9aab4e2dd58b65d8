package creditline.budget;

import java.util.Set;

/** Allow-lists of models and activities; a null list allows everything. */
public record Restrictions(Set<String> models, Set<String> activities) {
    public static final Restrictions NONE = new Restrictions(null, null);

    public Restrictions {
        models = models == null ? null : Set.copyOf(models);
        activities = activities == null ? null : Set.copyOf(activities);
    }

    public boolean allowsModel(String model) {
        return models == null || models.contains(model);
    }

    public boolean allowsActivity(String activity) {
        return activities == null || activities.contains(activity);
    }
}
