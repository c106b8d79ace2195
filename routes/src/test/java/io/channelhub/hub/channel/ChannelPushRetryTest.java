package io.channelhub.hub.channel;

import io.channelhub.connectors.AccessRefusedException;
import io.channelhub.connectors.TransientPartnerException;
import io.channelhub.connectors.channel.ChannelCallListener;
import io.channelhub.connectors.channel.JobJournal;
import io.channelhub.connectors.channel.PushOutcome;
import io.channelhub.connectors.channel.RateLimit;
import io.channelhub.connectors.channel.StockUpdate;
import io.channelhub.connectors.otto.OttoMarketClient;
import io.channelhub.connectors.otto.OttoSandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * How a channel push is retried while the partner says "later": every {@code Retry-After} is waited out once, by the
 * retry (a client's rate limiter that holds its calls until the same moment is open by then), and the items are read
 * again after it; the wait ends when the route stops.
 */
class ChannelPushRetryTest {

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    private static final RateLimit ROOMY = RateLimit.perSecond(1000, 1000);

    private final List<Long> attemptsAt = new CopyOnWriteArrayList<>();
    private final List<Duration> throttled = new CopyOnWriteArrayList<>();
    private OttoSandbox otto;

    @AfterEach
    void stop() {
        if (otto != null) {
            otto.close();
        }
    }

    private static TransientPartnerException unavailable(Duration retryAfter) {
        return new TransientPartnerException("otto-de", 503, "HTTP 503", "", retryAfter, null);
    }

    private static Duration between(long from, long to) {
        return Duration.ofNanos(to - from);
    }

    @Test
    void aRetryAfterNothingHoldsIsWaitedOutBeforeEachNewAttempt() throws Exception {
        String done = ChannelPushRetry.untilAccepted("otto-de", MAX_BACKOFF, () -> true, throttled::add, () -> {
            attemptsAt.add(System.nanoTime());
            if (attemptsAt.size() <= 2) {
                throw unavailable(Duration.ofMillis(400));
            }
            return "done";
        });

        assertThat(done).isEqualTo("done");
        assertThat(attemptsAt).hasSize(3);
        assertThat(between(attemptsAt.get(0), attemptsAt.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(between(attemptsAt.get(1), attemptsAt.get(2))).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void aRetryAfterTheClientsRateLimiterHoldsIsWaitedOutHereSoThatTheRetryReadsItsItemsAfterTheWait() throws Exception {
        // The client's limiter holds its calls until the same moment: the retry's call then goes without a second wait.
        List<Long> readAt = new CopyOnWriteArrayList<>();
        var attempts = new ChannelPushRetry.Attempts<>(List.of("figure read before the wait"), () -> {
            readAt.add(System.nanoTime());
            return List.of("figure read after the wait");
        });
        List<String> sent = ChannelPushRetry.untilAccepted("otto-de", MAX_BACKOFF, () -> true, throttled::add, () -> {
            attemptsAt.add(System.nanoTime());
            List<String> items = attempts.next();
            if (attemptsAt.size() == 1) {
                throw TransientPartnerException.held("otto-de", 429, "HTTP 429", "", Duration.ofMillis(600));
            }
            return items;
        });

        assertThat(sent).containsExactly("figure read after the wait");
        assertThat(attempts.last()).isSameAs(sent);
        assertThat(between(attemptsAt.get(0), readAt.get(0))).as("read again after the Retry-After")
                .isGreaterThanOrEqualTo(Duration.ofMillis(600));
        assertThat(throttled).containsExactly(Duration.ofMillis(600));
    }

    @Test
    void theWaitForARetryAfterEndsWhenTheRouteStops() {
        long stopsAt = System.nanoTime() + Duration.ofMillis(300).toNanos();
        TransientPartnerException later = unavailable(Duration.ofSeconds(60));

        assertThatThrownBy(() -> ChannelPushRetry.untilAccepted("otto-de", MAX_BACKOFF, () -> System.nanoTime() < stopsAt, throttled::add,
                () -> {
                    attemptsAt.add(System.nanoTime());
                    throw later;
                })).isSameAs(later);

        assertThat(attemptsAt).as("no attempt after the stop").hasSize(1);
        assertThat(between(stopsAt, System.nanoTime())).as("ended soon after the stop").isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anOttoServerErrorsRetryAfterHoldsTheRetriedPushOnce() throws Exception {
        otto = new OttoSandbox(0, "otto-app", "otto-secret", ROOMY);
        otto.start();
        otto.addListing("SKU-1", 0, BigDecimal.TEN, "EUR");
        List<Duration> waits = new CopyOnWriteArrayList<>();
        OttoMarketClient client = new OttoMarketClient(otto.settings("otto-de"), new ChannelCallListener() {
            @Override
            public void called(String operation, int items) {
                attemptsAt.add(System.nanoTime());
            }

            @Override
            public void throttled(Duration waited) {
                waits.add(waited);
            }
        }, JobJournal.NONE);
        otto.faults().failNext(1, 503, "1");

        PushOutcome outcome = ChannelPushRetry.untilAccepted("otto-de", MAX_BACKOFF, () -> true, throttled::add,
                () -> client.pushStock(List.of(new StockUpdate("SKU-1", 5, null))));

        assertThat(outcome).isEqualTo(PushOutcome.accepted(1));
        assertThat(attemptsAt).as("the 503, then the push that went through").hasSize(2);
        assertThat(between(attemptsAt.get(0), attemptsAt.get(1))).as("the Retry-After of 1 s, once")
                .isBetween(Duration.ofMillis(900), Duration.ofMillis(1800));
        assertThat(throttled).containsExactly(Duration.ofSeconds(1));
        assertThat(waits).as("the client's limiter, open by then, waited no second time").allSatisfy(wait ->
                assertThat(wait).isLessThan(Duration.ofMillis(500)));
        assertThat(otto.quantityOf("SKU-1")).hasValue(5);
        assertThat(otto.stockWritesOf("SKU-1")).isOne();
    }

    @Test
    void aPushToAnAccountWhoseAccessWasRevokedWaitsForItToBeRestoredAndIsThenAcceptedOnce() throws Exception {
        otto = new OttoSandbox(0, "otto-app", "otto-secret", ROOMY);
        otto.start();
        otto.addListing("SKU-1", 0, BigDecimal.TEN, "EUR");
        OttoMarketClient client = new OttoMarketClient(otto.settings("otto-de"));
        client.pushStock(List.of(new StockUpdate("SKU-1", 1, null)));
        otto.revokeAccess();
        long tokenCallsBefore = otto.tokenCalls();
        var pushed = new CompletableFuture<PushOutcome>();
        Thread pusher = new Thread(() -> {
            try {
                pushed.complete(ChannelPushRetry.untilAccepted("otto-de", Duration.ofMillis(400), () -> true, throttled::add,
                        () -> client.pushStock(List.of(new StockUpdate("SKU-1", 2, 1L)))));
            } catch (Throwable failed) {
                pushed.completeExceptionally(failed);
            }
        });
        pusher.start();

        // Refused at the token endpoint again and again (the old token was refused first), never given up.
        await().atMost(Duration.ofSeconds(10)).until(() -> otto.tokenCalls() >= tokenCallsBefore + 4);
        assertThat(pushed).as("still waiting, not refused").isNotDone();
        assertThat(otto.quantityOf("SKU-1")).hasValue(1);
        otto.restoreAccess();

        assertThat(pushed.get(10, TimeUnit.SECONDS)).isEqualTo(PushOutcome.accepted(1));
        assertThat(otto.quantityOf("SKU-1")).hasValue(2);
        assertThat(otto.stockWritesOf("SKU-1")).as("the first push, then the one after the restore").isEqualTo(2);
    }

    @Test
    void aWaitForAccessEndsWhenTheRouteStopsAsAFailureThatRefusesNoItem() {
        long stopsAt = System.nanoTime() + Duration.ofMillis(300).toNanos();
        var refused = new AccessRefusedException("otto-de", 401, "token request rejected (HTTP 401 invalid_client)", "");

        assertThatThrownBy(() -> ChannelPushRetry.untilAccepted("otto-de", MAX_BACKOFF, () -> System.nanoTime() < stopsAt, throttled::add,
                () -> {
                    attemptsAt.add(System.nanoTime());
                    throw refused;
                })).isInstanceOf(TransientPartnerException.class).hasCause(refused);
        assertThat(between(stopsAt, System.nanoTime())).as("ended soon after the stop").isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aTokenEndpointsRetryAfterIsWaitedOutInsteadOfAskingForATokenAgainAndAgain() throws Exception {
        // The token endpoint takes one request every four seconds: the client's second token request gets a 429.
        otto = new OttoSandbox(0, "otto-app", "otto-secret", "availability products", ROOMY, RateLimit.perSecond(0.25, 1));
        otto.start();
        otto.addListing("SKU-1", 0, BigDecimal.TEN, "EUR");
        OttoMarketClient client = new OttoMarketClient(otto.settings("otto-de"));
        client.pushStock(List.of(new StockUpdate("SKU-1", 1, null)));
        otto.expireTokens();

        PushOutcome outcome = ChannelPushRetry.untilAccepted("otto-de", MAX_BACKOFF, () -> true, throttled::add,
                () -> client.pushStock(List.of(new StockUpdate("SKU-1", 2, 1L))));

        assertThat(outcome.rejected()).isEmpty();
        assertThat(otto.tokenCalls()).as("the first token, the refused request, the one after its Retry-After").isEqualTo(3);
        assertThat(otto.quantityOf("SKU-1")).hasValue(2);
    }
}
