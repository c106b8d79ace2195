package io.channelhub.connectors.otto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.PermanentPartnerException;
import io.channelhub.connectors.channel.AsyncJobs;
import io.channelhub.connectors.channel.ChannelHttp;
import io.channelhub.connectors.channel.JobJournal;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The update tasks of the price pushes one client made: OTTO accepts {@code POST /v5/products/prices} with 202 and a
 * process, and the prices it then refuses are listed under the task's {@code failed} link (ProductsV5Api
 * {@code GET /v5/products/update-tasks/{processUuid}[/failed]}). A task is looked at from its {@code pingAfter} (5 s
 * when it names none), then ever less often ({@link AsyncJobs}), on the client's own rate limit but never waiting for
 * it.
 */
final class OttoPriceTasks {

    private static final Logger LOG = LoggerFactory.getLogger(OttoPriceTasks.class);
    private static final Duration FIRST_CHECK = Duration.ofSeconds(5);

    private final String apiUrl;
    private final BearerChannel channel;
    private final AsyncJobs<Task> tasks;

    OttoPriceTasks(String apiUrl, BearerChannel channel, JobJournal journal) {
        this.apiUrl = apiUrl;
        this.channel = channel;
        this.tasks = new AsyncJobs<>(channel.partner(), journal, new TaskCodec());
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
        tasks.add(new Task(self, prices), first);
    }

    void refusals(LateRefusal.Handler handler) throws Exception {
        tasks.refusals(task -> true, this::check, handler);
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
        URI uri;
        try {
            uri = URI.create(apiUrl).resolve(href);
        } catch (IllegalArgumentException e) {
            throw new PermanentPartnerException(channel.partner(), 0, "the task link '" + href + "' is not a URI: "
                    + e.getMessage(), null);
        }
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

    /** {@code {"self", "prices": {"<sku>": "<price>"}}}, keyed {@code price-task:<self>}. */
    private static final class TaskCodec implements AsyncJobs.Codec<Task> {
        @Override
        public String key(Task task) {
            return "price-task:" + task.self;
        }

        @Override
        public ObjectNode write(Task task) {
            var written = ChannelHttp.JSON.createObjectNode().put("self", task.self);
            var prices = written.putObject("prices");
            task.prices.forEach(prices::put);
            return written;
        }

        @Override
        public Task read(JsonNode task) {
            Map<String, String> prices = new LinkedHashMap<>();
            task.path("prices").properties().forEach(price -> prices.put(price.getKey(), price.getValue().asText()));
            return new Task(task.path("self").asText(), prices);
        }

        @Override
        public List<LateRefusal> refuseAll(Task task, String reason) {
            return task.refuseAll(reason);
        }
    }

    /** A task OTTO is working on: its {@code self} link and the price each of its SKUs was to get. */
    private record Task(String self, Map<String, String> prices) {

        @Override
        public String toString() {
            return "price task " + self;
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
