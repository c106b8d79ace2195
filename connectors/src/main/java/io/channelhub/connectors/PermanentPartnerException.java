package io.channelhub.connectors;

/** The partner rejected the content (4xx validation, unknown SKU, business rule): retrying cannot help. */
public class PermanentPartnerException extends PartnerException {

    public PermanentPartnerException(String partner, int status, String message, String responseExcerpt) {
        super(partner, status, message, responseExcerpt, null);
    }
}
