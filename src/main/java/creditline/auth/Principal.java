package creditline.auth;

/** Who is calling: the role of the key, its org (null for operators) and member (member keys only). */
public record Principal(Role role, String orgId, String memberId, String keyId) {
    public static final Principal BOOTSTRAP_OPERATOR = new Principal(Role.OPERATOR, null, null, "operator");

    public boolean isOperator() { return role == Role.OPERATOR; }

    /** Operators, and admins of this org. */
    public boolean canAdminister(String org) {
        return role == Role.OPERATOR || (role == Role.ADMIN && org.equals(orgId));
    }
}
