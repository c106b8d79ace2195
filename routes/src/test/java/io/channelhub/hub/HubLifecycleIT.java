package io.channelhub.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub as the README's run command starts it (its own process, embedded broker and database, the shipped partner
 * files with their sandboxes, the sandbox shop placing good orders), stopped as a service manager or {@code docker stop}
 * stops it: SIGTERM. It must exit by itself, and log no warning or error while it stops; the ops who read that log
 * take each one for a fault. Only a process of its own runs the JVM's shut-down hooks: H2's own hook once closed the
 * database under the channels' pushers, which then logged a failed push each.
 */
class GracefulStopIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private Process hub;

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (hub != null) {
            hub.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aStoppedHubExitsWithoutLoggingAWarningOrAnError() throws Exception {
        Path dataDir = Files.createTempDirectory("stopping-hub");
        Path log = dataDir.resolve("hub.log");
        int port = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        hub = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                ChannelHubApplication.class.getName(),
                "--server.port=" + port,
                "--hub.data-dir=" + dataDir,
                "--hub.partners-dir=" + Path.of("..", "config", "partners").toAbsolutePath(),
                // An order every 200 ms, so that orders are under way when it stops; none of the deliberately bad
                // ones, which are dead-lettered with a warning, also while the hub stops.
                "--hub.sandbox.shop-traffic.interval=200ms",
                "--hub.sandbox.shop-traffic.bad-order-percent=0")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            if (!hub.isAlive()) {
                throw new IllegalStateException("the hub exited with " + hub.exitValue() + ":\n" + Files.readString(log));
            }
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });
        // Stopped while it works: the channels have been told stock and the sandbox shop's orders come in.
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String written = Files.readString(log);
            return written.contains("acknowledged") && written.contains("→ hub answered 200");
        });
        int linesBeforeStop = Files.readAllLines(log).size();

        hub.destroy();

        assertThat(hub.waitFor(60, TimeUnit.SECONDS)).as("the hub exits within a minute of SIGTERM").isTrue();
        assertThat(hub.exitValue()).as("the JVM's exit code after SIGTERM").isEqualTo(143);
        List<String> stopping = Files.readAllLines(log).stream().skip(linesBeforeStop).toList();
        assertThat(stopping).as("the log of the stop").anyMatch(line -> line.contains("HikariPool-1 - Shutdown completed"));
        assertThat(stopping).as("warnings and errors while stopping")
                .noneMatch(line -> line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("Exception"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
