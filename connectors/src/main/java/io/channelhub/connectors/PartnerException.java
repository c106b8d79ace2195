package io.channelhub.connectors;

/** A partner call that failed; the subclass says whether trying again can help. */
public abstract class PartnerException extends RuntimeException {

    private final String partner;
    private final int status;
    private final String responseExcerpt;

    protected PartnerException(String partner, int status, String message, String responseExcerpt, Throwable cause) {
        super(partner + ": " + message, cause);
        this.partner = partner;
        this.status = status;
        this.responseExcerpt = excerpt(responseExcerpt);
    }

    public String partner() {
        return partner;
    }

    /** The HTTP status, or 0 when the call never got an answer. */
    public int status() {
        return status;
    }

    public String responseExcerpt() {
        return responseExcerpt;
    }

    /** At most 500 characters of a partner's answer: enough to diagnose, small enough for a header. */
    public static String excerpt(String response) {
        if (response == null) {
            return null;
        }
        return response.length() <= 500 ? response : response.substring(0, 500) + "…";
    }
}
