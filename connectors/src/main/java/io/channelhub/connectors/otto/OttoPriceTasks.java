package io.channelhub.connectors.otto;

import com.fasterxml.jackson.databind.JsonNode;
import io.channelhub.connectors.PartnerException;
import io.channelhub.connectors.channel.LateRefusal;
import io.channelhub.connectors.oauth.BearerChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The update tasks of the price pushes one client made: OTTO accepts {@code POST /v5/products/prices} with 202 and a
 * process, and the prices it then refuses are listed under the task's {@code failed} link (ProductsV5Api
 * {@code GET /v5/products/update-tasks/{processUuid}[/failed]}). A task is looked at from its {@code pingAfter} (5 s
 * when it names none), then ever less often up to once a minute, on the client's own rate limit but never waiting for
 * it. Held in memory only: a restart forgets the tasks still running.
 */
final class OttoPriceTasks {

    private static final Logger LOG = LoggerFactory.getLogger(OttoPriceTasks.class);
    private static final Duration FIRST_CHECK = Duration.ofSeconds(5);
    private static final Duration LONGEST_CHECK = Duration.ofMinutes(1);

    private final String apiUrl;
    private final BearerChannel channel;
    private final ConcurrentLinkedQueue<Task> tasks = new ConcurrentLinkedQueue<>();

    OttoPriceTasks(String apiUrl, BearerChannel channel) {
        this.apiUrl = apiUrl;
        this.channel = channel;
    }

    /** A price push was accepted as {@code process}; {@code prices}: SKU → the price it carried. */
    void accepted(JsonNode process, Map<String, String> prices) {
        String self = link(process, "self");
        if (self == null) {
            LOG.warn("{}: a price update answer names no task; its refusals cannot be read", channel.partner());
            return;
        }
        Instant first = Instant.now().plus(FIRST_CHECK);
        try {
            if (process.hasNonNull("pingAfter")) {
                first = Instant.parse(process.path("pingAfter").asText());
            }
        } catch (DateTimeParseException ignored) {
            // an unreadable pingAfter: the default first look
        }
        tasks.add(new Task(self, prices, first));
    }

    synchronized List<LateRefusal> refusals() {
        List<LateRefusal> refusals = new ArrayList<>();
        Instant now = Instant.now();
        for (Iterator<Task> pending = tasks.iterator(); pending.hasNext(); ) {
            Task task = pending.next();
            if (now.isBefore(task.nextCheck)) {
                continue;
            }
            try {
                List<LateRefusal> ready = check(task);
                if (ready == null) {
                    task.later();
                } else {
                    refusals.addAll(ready);
                    pending.remove();
                }
            } catch (PartnerException e) {
                LOG.warn("{}: price task {} could not be read yet ({}); trying again later", channel.partner(),
                        task.self, e.getMessage());
                task.later();
            }
        }
        return refusals;
    }

    /** @return the task's refusals once it is done, null while it runs (or the rate limit says later) */
    private List<LateRefusal> check(Task task) {
        if (!channel.mayCallNow()) {
            return null;
        }
        JsonNode state = get(task.self, "productsUpdateTask");
        switch (state.path("state").asText("")) {
            case "done" -> {
                if (state.path("failed").asInt(0) == 0) {
                    return List.of();
                }
                String failed = link(state, "failed");
                return failed == null ? task.refuseAll("task " + task.self + " reports failures but links none")
                        : task.refusals(failed, this);
            }
            case "pending" -> {
                return null;
            }
            default -> {
                return task.refuseAll("task " + task.self + " ended " + state.path("state").asText("without a state")
                        + ": " + state.path("message").asText(""));
            }
        }
    }

    private JsonNode get(String href, String operation) {
        URI uri = URI.create(apiUrl).resolve(href);
        return channel.http().parse(channel.send(operation, 1, () -> HttpRequest.newBuilder(uri)
                .header("Accept", "application/json").GET()).response());
    }

    private static String link(JsonNode process, String rel) {
        for (JsonNode link : process.path("links")) {
            if (rel.equals(link.path("rel").asText())) {
                return link.path("href").asText(null);
            }
        }
        return null;
    }

    private static final class Task {
        final String self;
        final Map<String, String> prices;
        Instant nextCheck;
        Duration wait = FIRST_CHECK;

        Task(String self, Map<String, String> prices, Instant nextCheck) {
            this.self = self;
            this.prices = prices;
            this.nextCheck = nextCheck;
        }

        void later() {
            wait = wait.multipliedBy(2).compareTo(LONGEST_CHECK) > 0 ? LONGEST_CHECK : wait.multipliedBy(2);
            nextCheck = Instant.now().plus(wait);
        }

        List<LateRefusal> refuseAll(String reason) {
            return prices.entrySet().stream().map(price -> new LateRefusal(price.getKey(), price.getValue(), reason)).toList();
        }

        /** {@code results[{sku, errors[{title, detail, code}]}]} of the failed link, one refusal per SKU. */
        List<LateRefusal> refusals(String failedHref, OttoPriceTasks owner) {
            List<LateRefusal> refusals = new ArrayList<>();
            for (JsonNode result : owner.get(failedHref, "productsUpdateTaskFailed").path("results")) {
                String sku = result.path("sku").asText("");
                List<String> reasons = new ArrayList<>();
                for (JsonNode error : result.path("errors")) {
                    String title = error.path("title").asText("");
                    String detail = error.path("detail").asText("");
                    reasons.add(detail.isEmpty() ? title : title.isEmpty() ? detail : title + ": " + detail);
                }
                refusals.add(new LateRefusal(sku, prices.getOrDefault(sku, "?"), String.join("; ", reasons)));
            }
            return refusals;
        }
    }
}
