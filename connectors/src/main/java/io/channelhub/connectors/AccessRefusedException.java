package io.channelhub.connectors;

/**
 * The partner refuses the hub's credentials or their rights: a 401 that a fresh token does not cure, a 403, a token
 * request rejected. Nothing the hub sends is taken until ops fix the account or its configuration, and what was sent
 * is not at fault: a push waits for the account instead of refusing its items (which would put every SKU of every
 * batch into a dead-letter queue). Elsewhere it is permanent, as before.
 */
public class AccessRefusedException extends PermanentPartnerException {

    public AccessRefusedException(String partner, int status, String message, String responseExcerpt) {
        super(partner, status, message, responseExcerpt);
    }
}
