package io.channelhub.hub.stock;

import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes the channels' pushers when this instance has committed a stock change, so a change reaches them in
 * milliseconds instead of at their next look at the log. Changes committed by another instance are found by that look
 * ({@code hub.stock.push-poll-interval}); the log, not the bell, is what makes sure nothing is missed.
 */
@Component
public class StockChangeBell {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition rung = lock.newCondition();
    private long rings;

    public void ring() {
        lock.lock();
        try {
            rings++;
            rung.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** How often it has rung so far: pass it to {@link #awaitAfter} to wait for the next ring. */
    public long rings() {
        lock.lock();
        try {
            return rings;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until it rings after {@code seen} rings, or for at most {@code timeout}. */
    public void awaitAfter(long seen, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (rings == seen && left > 0) {
                left = rung.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }
}
