package io.channelhub.connectors.channel;

import io.channelhub.connectors.TransientPartnerException;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Test data and checks that the channel client tests share, so that what "SKU 5" or "a listener hears a write"
 * means is the same for every channel.
 */
public final class ChannelClientChecks {

    private ChannelClientChecks() {
    }

    public static String sku(int i) {
        return "SKU-" + i;
    }

    public static StockUpdate stock(int i, long quantity) {
        return new StockUpdate(sku(i), quantity, null);
    }

    public static PriceUpdate price(int i, String amount) {
        return new PriceUpdate(sku(i), new BigDecimal(amount), "EUR");
    }

    /**
     * Sends the push again after each 429, as the hub does, until it is through with nothing rejected.
     * @return the attempts it took
     */
    public static int pushUntilThrough(Supplier<PushOutcome> push) {
        for (int attempt = 1; attempt <= 10; attempt++) {
            try {
                assertThat(push.get().rejected()).isEmpty();
                return attempt;
            } catch (TransientPartnerException throttled) {
                assertThat(throttled.status()).isEqualTo(429);
            }
        }
        throw new AssertionError("still throttled after 10 attempts");
    }

    /**
     * A stock listener hears each SKU's write once, in order, and may read the sandbox from inside the callback,
     * which by then answers the new quantity. The push runs on its own thread and the check waits with a timeout, so
     * a listener that blocks on the sandbox fails the test instead of hanging it.
     */
    public static void assertListenersHearEachWriteAsItIsStored(ChannelSandbox sandbox, ChannelClient client) {
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        sandbox.onStockWritten((sku, quantity) -> heard.add(sku + "=" + quantity + "@" + sandbox.quantityOf(sku).orElse(-1)));

        Thread pusher = new Thread(() -> client.pushStock(List.of(stock(5, 50), stock(6, 60))));
        pusher.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 2);
        assertThat(heard).containsExactly(sku(5) + "=50@50", sku(6) + "=60@60");
    }
}
