package io.channelhub.hub.order;

/** A webhook the hub refuses outright: nothing is enqueued, the sender gets {@code status} and the reason. */
public class WebhookRejectedException extends RuntimeException {

    private final int status;

    public WebhookRejectedException(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
