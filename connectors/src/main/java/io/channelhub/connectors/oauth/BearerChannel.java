package io.channelhub.connectors.oauth;

import io.channelhub.connectors.AccessRefusedException;
import io.channelhub.connectors.HttpFailures;
import io.channelhub.connectors.PartnerException;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.connectors.channel.AccessToken;
import io.channelhub.connectors.channel.ChannelCallListener;
import io.channelhub.connectors.channel.ChannelHttp;
import io.channelhub.connectors.channel.TokenBucket;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The call discipline the eBay and OTTO clients share, so it is written once: wait for the rate limiter (and report
 * the wait), send with {@code Authorization: Bearer <cached token>}, report the call; on 401 drop the token, fetch a
 * new one and send once more; on 429, 408 or 5xx with {@code Retry-After} empty the bucket until then and throw the
 * transient failure as held (the caller's caller retries the batch, this class never loops); any other non-2xx is
 * classified by {@link HttpFailures}. The token endpoint is not paced by the bucket: its {@code Retry-After} is left
 * to whoever retries ({@link OAuthTokenEndpoint}).
 */
public final class BearerChannel {

    /** Waits shorter than this are the bucket's own bookkeeping, not throttling. */
    private static final Duration NOTICEABLE_WAIT = Duration.ofMillis(1);

    private final ChannelHttp http;
    private final AccessToken token;
    private final TokenBucket bucket;
    private final ChannelCallListener listener;

    public BearerChannel(ChannelHttp http, AccessToken token, TokenBucket bucket, ChannelCallListener listener) {
        this.http = http;
        this.token = token;
        this.bucket = bucket;
        this.listener = listener == null ? ChannelCallListener.NONE : listener;
    }

    public String partner() {
        return http.partner();
    }

    public ChannelHttp http() {
        return http;
    }

    /**
     * Sends one partner operation and returns its 2xx answer and how many HTTP calls it took (2 after a 401).
     *
     * @param request builds a fresh request each time (the retry after a 401 needs a second one)
     */
    public Answer send(String operation, int items, Supplier<HttpRequest.Builder> request) {
        int calls = 0;
        while (true) {
            Duration waited = bucket.take();
            if (waited.compareTo(NOTICEABLE_WAIT) >= 0) {
                listener.throttled(waited);
            }
            HttpRequest.Builder builder = request.get().header("Authorization", "Bearer " + token.get());
            HttpResponse<String> response = http.exchange(builder);
            calls++;
            listener.called(operation, items);
            int status = response.statusCode();
            if (status == 401) {
                token.invalidate();
                if (calls == 1) {
                    continue;
                }
                throw new AccessRefusedException(partner(), 401,
                        operation + " refused a freshly issued access token", PartnerException.excerpt(response.body()));
            }
            Duration retryAfter = HttpFailures.isTransient(status) ? HttpFailures.retryAfter(response.headers()) : null;
            if (retryAfter != null) {
                // Every later call of this client, the retried push's and any other caller's, waits until then.
                bucket.backOff(retryAfter);
                throw TransientPartnerException.held(partner(), status, operation + ": HTTP " + status,
                        response.body(), retryAfter);
            }
            HttpFailures.raiseFor(partner(), response);
            return new Answer(response, calls);
        }
    }

    /** Whether a call would go out at once, without waiting for the rate limit (for checks that can wait). */
    public boolean mayCallNow() {
        return bucket.untilNextToken().isZero();
    }

    /** A 2xx answer and the number of HTTP calls that produced it. */
    public record Answer(HttpResponse<String> response, int calls) {

        public int status() {
            return response.statusCode();
        }
    }
}
