package io.channelhub.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub as the README's run command starts it (its own process, embedded broker and database, the shipped partner
 * files with their sandboxes, the sandbox shop placing good orders), stopped as a service manager or {@code docker stop}
 * stops it: SIGTERM. It must exit by itself, and log no warning or error while it starts, works or stops; the ops who
 * read that log take each one for a fault, and the first thing a new user sees is its start. Only a process of its own
 * runs the JVM's shut-down hooks: H2's own hook once closed the database under the channels' pushers, which then
 * logged a failed push each. A second hub started on the same data directory meanwhile must stop at once and say why.
 */
class HubLifecycleIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private Process hub;
    private Path dataDir;

    @AfterEach
    void cleanUp() throws InterruptedException, IOException {
        if (hub != null) {
            hub.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (dataDir != null) {
            try (var files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    @Test
    void theReadmeHubStartsWorksAndStopsWithoutLoggingAWarningOrAnError() throws Exception {
        dataDir = Files.createTempDirectory("hub-lifecycle");
        Path log = dataDir.resolve("hub.log");
        int port = HubProcess.freePort();
        hub = HubProcess.start(port, dataDir, log, Map.of(),
                "--hub.partners-dir=" + Path.of("..", "config", "partners").toAbsolutePath(),
                // An order every 200 ms, so that orders are under way when it stops; none of the deliberately bad
                // ones, which are dead-lettered with a warning, also while the hub stops.
                "--hub.sandbox.shop-traffic.interval=200ms",
                "--hub.sandbox.shop-traffic.bad-order-percent=0");

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!hub.isAlive()) {
                throw new IllegalStateException("the hub exited with " + hub.exitValue() + ":\n" + Files.readString(log));
            }
            // Stopped while it works: the channels have been told stock and the sandbox shop's orders come in.
            String written = Files.readString(log);
            return written.contains("acknowledged") && written.contains("→ hub answered 200");
        });
        int linesOfStartAndWork = Files.readAllLines(log).size();
        // Health is asked once it works, not while it starts. A probe in about the first second finds a consumer that
        // has not polled yet, and Camel answers it DOWN (not ready) with a warning, as it should that early; such
        // warnings, if the probe comes that early, fall between the two parts of the log this test reads.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).until(() ->
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().equals("{\"status\":\"UP\"}"));
        int linesBeforeStop = Files.readAllLines(log).size();

        // The run command again, on the same data directory: it stops at once, saying which hub holds the directory,
        // instead of waiting for the broker journal's lock without end; the first hub goes on.
        Path secondLog = Files.createTempFile("hub-second", ".log");
        Process second = HubProcess.start(HubProcess.freePort(), dataDir, secondLog, Map.of(),
                "--hub.partners-dir=" + Path.of("..", "config", "partners").toAbsolutePath());
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("the second hub stops by itself").isTrue();
        assertThat(second.exitValue()).isNotZero();
        String secondOutput = Files.readString(secondLog);
        Files.delete(secondLog);
        assertThat(secondOutput).contains("hub.data-dir " + dataDir.toAbsolutePath() + " is in use by another hub (process "
                + hub.pid() + "@");
        assertThat(secondOutput).as("nothing started").doesNotContain("AMQ221034").doesNotContain("Started ChannelHubApplication");
        assertThat(hub.isAlive()).isTrue();
        List<String> whileSecondTried = Files.readAllLines(log);
        assertThat(whileSecondTried.subList(linesBeforeStop, whileSecondTried.size()))
                .as("the first hub's log while the second tried").noneMatch(HubLifecycleIT::warns);
        linesBeforeStop = whileSecondTried.size();

        hub.destroy();

        assertThat(hub.waitFor(60, TimeUnit.SECONDS)).as("the hub exits within a minute of SIGTERM").isTrue();
        assertThat(hub.exitValue()).as("the JVM's exit code after SIGTERM").isEqualTo(143);
        List<String> lines = Files.readAllLines(log);
        List<String> stopping = lines.subList(linesBeforeStop, lines.size());
        assertThat(stopping).as("the log of the stop").anyMatch(line -> line.contains("HikariPool-1 - Shutdown completed"));
        assertThat(lines.subList(0, linesOfStartAndWork)).as("warnings and errors while starting and working")
                .noneMatch(HubLifecycleIT::warns);
        assertThat(stopping).as("warnings and errors while stopping").noneMatch(HubLifecycleIT::warns);
    }

    /** A warning or an error, in the log's format or printed by a library on its own (advice to remove a jar). */
    private static boolean warns(String line) {
        return line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("Exception") || line.contains("please remove");
    }
}
