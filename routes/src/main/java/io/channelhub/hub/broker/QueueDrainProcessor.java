package io.channelhub.hub.broker;

import jakarta.jms.ConnectionFactory;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The body of a route that drains a queue in batches ({@link QueueBatchReceiver}), run by a single-threaded
 * scheduler: starting, stopping or suspending the route in Hawtio starts and stops the draining. A failed batch has
 * been rolled back to the broker (nothing is lost; the broker redelivers with its backoff and finally dead-letters);
 * the drain then pauses for {@code failurePause} instead of spinning on a broken partner or database.
 */
public final class QueueDrainProcessor extends ServiceSupport implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(QueueDrainProcessor.class);
    private static final Duration FIRST_WAIT = Duration.ofMillis(200);

    private final ConnectionFactory connectionFactory;
    private final String queue;
    private final int batchSize;
    private final Duration failurePause;
    private final QueueBatchReceiver.Handler handler;
    private final BooleanSupplier paused;
    private QueueBatchReceiver receiver;

    public QueueDrainProcessor(ConnectionFactory connectionFactory, String queue, int batchSize, Duration failurePause,
                               QueueBatchReceiver.Handler handler) {
        this(connectionFactory, queue, batchSize, failurePause, handler, () -> false);
    }

    /** {@code paused}: while it says so, nothing is taken off the queue (ops paused the partner it feeds). */
    public QueueDrainProcessor(ConnectionFactory connectionFactory, String queue, int batchSize, Duration failurePause,
                               QueueBatchReceiver.Handler handler, BooleanSupplier paused) {
        this.connectionFactory = connectionFactory;
        this.queue = queue;
        this.batchSize = batchSize;
        this.failurePause = failurePause;
        this.handler = handler;
        this.paused = paused;
    }

    @Override
    public void process(Exchange exchange) throws InterruptedException {
        // Drain until the queue is empty, then let the scheduler call again: an idle queue costs one blocked receive.
        while (isRunStable()) {
            if (pausedNow()) {
                // Closed, so that the messages wait on the queue (where a last-value queue replaces them with newer
                // ones), not in this consumer's buffer.
                closeReceiver();
                Thread.sleep(FIRST_WAIT.toMillis());
                return;
            }
            try {
                if (receiver == null) {
                    receiver = new QueueBatchReceiver(connectionFactory, queue);
                }
                if (receiver.drain(batchSize, FIRST_WAIT, handler) == 0) {
                    return;
                }
            } catch (Exception e) {
                LOG.warn("batch from {} rolled back, the broker will redeliver it: {}", queue, describe(e));
                closeReceiver();
                Thread.sleep(failurePause.toMillis());
                return;
            }
        }
    }

    /** Unsure counts as paused: nothing is taken off the queue until it is known. */
    private boolean pausedNow() {
        try {
            return paused.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.warn("cannot tell whether {} is paused, taking nothing off it for now: {}", queue, describe(e));
            return true;
        }
    }

    private boolean isRunStable() {
        return isRunAllowed() && !Thread.currentThread().isInterrupted();
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private synchronized void closeReceiver() {
        if (receiver != null) {
            receiver.close();
            receiver = null;
        }
    }

    @Override
    protected void doStop() {
        closeReceiver();
    }
}
