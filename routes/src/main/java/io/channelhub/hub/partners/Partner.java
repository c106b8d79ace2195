package io.channelhub.hub.partners;

import java.util.List;
import java.util.Map;

/**
 * A partner ready to use: its definition plus the resolved endpoint and credentials. {@link #toString()} never
 * shows a credential.
 */
public final class Partner {

    private final PartnerDefinition definition;
    private final String source;
    private final String endpoint;
    private final Map<String, String> credentials;

    Partner(PartnerDefinition definition, String source, String endpoint, Map<String, String> credentials) {
        this.definition = definition;
        this.source = source;
        this.endpoint = endpoint;
        this.credentials = Map.copyOf(credentials);
    }

    public String id() {
        return definition.id();
    }

    public PartnerDefinition definition() {
        return definition;
    }

    /** The file the partner came from, for messages. */
    public String source() {
        return source;
    }

    /** The partner's base URL (for a sandbox partner: the running simulator's). */
    public String endpoint() {
        return endpoint;
    }

    public String credential(String name) {
        String value = credentials.get(name);
        if (value == null) {
            throw new IllegalStateException("partner " + id() + " has no credential " + name);
        }
        return value;
    }

    /** All webhook secrets that are accepted now (the current one first, then the one being rotated out). */
    public List<String> webhookSecrets() {
        return credentials.containsKey("previousWebhookSecret")
                ? List.of(credential("webhookSecret"), credential("previousWebhookSecret"))
                : List.of(credential("webhookSecret"));
    }

    @Override
    public String toString() {
        return "Partner[" + id() + ", " + definition.connector() + (definition.sandbox() ? ", sandbox" : "") + "]";
    }
}
