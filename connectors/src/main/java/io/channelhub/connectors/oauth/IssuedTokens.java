package io.channelhub.connectors.oauth;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sandbox side of a bearer token: the access tokens a sandbox's token endpoint issued, with the scopes each
 * carries, and the check of an {@code Authorization: Bearer <token>} header against them. Shared by the eBay and
 * OTTO sandboxes (their token endpoints differ: grant, client authentication, answers), next to the client side
 * ({@link BearerChannel}, {@link OAuthTokenEndpoint}).
 */
public final class IssuedTokens {

    private final Map<String, Set<String>> scopesByToken = new ConcurrentHashMap<>();

    public void issue(String token, Set<String> scopes) {
        scopesByToken.put(token, Set.copyOf(scopes));
    }

    /** The scopes of the header's bearer token; null when the header is missing, not Bearer, or the token unknown. */
    public Set<String> scopesOf(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        return scopesByToken.get(authorization.substring(7).trim());
    }

    /** Every token issued so far stops working, as once its lifetime is over. */
    public void expireAll() {
        scopesByToken.clear();
    }
}
