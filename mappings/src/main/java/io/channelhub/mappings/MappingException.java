package io.channelhub.mappings;

/** A payload that cannot be mapped to or from the canonical model: permanent, so never retried. */
public class MappingException extends RuntimeException {

    public MappingException(String message) {
        super(message);
    }

    public MappingException(String message, Throwable cause) {
        super(message, cause);
    }
}
