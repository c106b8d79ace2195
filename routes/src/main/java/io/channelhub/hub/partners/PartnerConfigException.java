package io.channelhub.hub.partners;

/** A partner file that cannot be used; the message names the file and the key. */
public class PartnerConfigException extends RuntimeException {

    public PartnerConfigException(String message) {
        super(message);
    }

    public PartnerConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
