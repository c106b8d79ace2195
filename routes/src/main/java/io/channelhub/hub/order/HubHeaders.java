package io.channelhub.hub.order;

/** The headers the hub sets ({@code Hub} + CamelCase); nothing else from outside ever travels with a message. */
public final class HubHeaders {

    public static final String MESSAGE_ID = "HubMessageId";
    public static final String MESSAGE_TYPE = "HubMessageType";
    public static final String PARTNER = "HubPartner";
    public static final String CORRELATION_ID = "HubCorrelationId";
    public static final String SIGNATURE = "HubSignature";
    public static final String WEBHOOK_ID = "HubWebhookId";
    public static final String TOPIC = "HubTopic";
    public static final String EXTERNAL_ORDER_ID = "HubExternalOrderId";
    /** How many canonical events a message carries, where it is more than one; a batch receiver's limit counts them. */
    public static final String EVENT_COUNT = "HubEventCount";

    public static final String ERROR_REASON = "HubErrorReason";
    public static final String ERROR_CLASS = "HubErrorClass";
    public static final String ERROR_ROUTE = "HubErrorRoute";
    public static final String ERROR_ENDPOINT = "HubErrorEndpoint";
    public static final String ERROR_ATTEMPTS = "HubErrorAttempts";
    public static final String ERROR_PARTNER_RESPONSE = "HubErrorPartnerResponse";
    public static final String ERROR_AT = "HubErrorAt";
    public static final String ORIGINAL_QUEUE = "HubOriginalQueue";

    /** Exchange properties (not headers: they never leave the JVM). */
    public static final String DEAD_LETTER_QUEUE = "HubDeadLetterQueue";
    public static final String INGEST_OUTCOME = "HubIngestOutcome";

    private HubHeaders() {
    }
}
