package io.channelhub.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Medusa 2.21 server (shared/real-peers.md §2) for end-to-end tests, one per JVM.
 *
 * <p>The npm project in {@code src/test/medusa} (the medusa-starter-default package.json with exact versions, its
 * lock file, tsconfig.json and a medusa-config.ts with the admin dashboard disabled) is copied to
 * {@code target/real-medusa/app} and installed with {@code npm install --prefer-offline} unless that directory
 * already holds an install of the same lock file ({@code npm ci} trips over npm's optional-dependency bug with a lock
 * file generated on Linux). A private PostgreSQL 15 cluster runs on a free loopback port from
 * {@code target/real-medusa/pg}, as the {@code postgres} user when this runs as root (CI), installed from Debian's
 * {@code postgresql-15} package when missing. The first run does {@code medusa db:setup} and {@code medusa user} and
 * keeps the result as the template database {@code medusa_seed}; later runs recreate {@code medusa} from it in under
 * a second. Medusa then starts on a free loopback port with telemetry off, and the fixture bootstraps over HTTP: a
 * secret API key ({@code sk_…}, sent as Basic auth by the hub), EUR as store currency, a stock location linked to
 * the default sales channel, and whatever products the tests ask for ({@link #ensureProduct}).
 *
 * <p>Read-back helpers go through Medusa's own admin API, so a test sees what a merchant would see.
 * Medusa's console output goes to {@code target/real-medusa/medusa.log}; its tail is in the exception when the
 * server does not come up. {@link #startupTimings()} tells where the start-up time went.
 */
public final class RealMedusa {

    public static final String ADMIN_EMAIL = "admin@example.com";
    public static final String ADMIN_PASSWORD = "supersecret";
    public static final String DATABASE = "medusa";
    public static final String SEED_DATABASE = "medusa_seed";
    public static final String CURRENCY = "eur";
    public static final String LOCATION_NAME = "ChannelHub Warehouse";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PG_BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final Path PROJECT_SOURCE = Path.of("src/test/medusa");
    private static final String INSTALL_MARKER = ".channelhub-installed";
    private static final String SEED_MARKER = "channelhub-seeded";
    private static RealMedusa instance;

    private final Path work;
    private final int postgresPort;
    private final Map<String, Duration> timings;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private Process server;
    private int port;
    private String secretApiKey;
    private String stockLocationId;
    private String salesChannelId;
    private String shippingProfileId;

    private RealMedusa(Path work, int postgresPort, Map<String, Duration> timings) {
        this.work = work;
        this.postgresPort = postgresPort;
        this.timings = timings;
    }

    public static synchronized RealMedusa instance() {
        if (instance == null) {
            instance = start();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stop));
        }
        return instance;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** A secret admin API key ({@code sk_…}), created at start-up. Send it as {@code Basic base64("sk_…:")}. */
    public String secretApiKey() {
        return secretApiKey;
    }

    public String stockLocationId() {
        return stockLocationId;
    }

    public String salesChannelId() {
        return salesChannelId;
    }

    /** Phase → how long it took in this JVM (npm install, postgres, database, medusa start, bootstrap). */
    public Map<String, Duration> startupTimings() {
        return Map.copyOf(timings);
    }

    /** The ids Medusa gave a product created for a test. */
    public record ProductIds(String productId, String variantId, String inventoryItemId) {
    }

    /**
     * A published product in the default sales channel with one variant of this SKU (inventory managed, no
     * location level yet) and a EUR price in major units; returns the existing ids when the SKU is already there.
     */
    public synchronized ProductIds ensureProduct(String sku, String title, BigDecimal priceEur) {
        JsonNode existing = variantBySku(sku);
        if (existing == null) {
            ObjectNode product = JSON.createObjectNode().put("title", title).put("status", "published")
                    .put("shipping_profile_id", shippingProfileId);
            product.putArray("sales_channels").addObject().put("id", salesChannelId);
            product.putArray("options").addObject().put("title", "Size").putArray("values").add("One");
            ObjectNode variant = product.putArray("variants").addObject().put("title", "One").put("sku", sku)
                    .put("manage_inventory", true);
            variant.putObject("options").put("Size", "One");
            variant.putArray("prices").addObject().put("currency_code", CURRENCY).put("amount", priceEur);
            call("POST", "/admin/products", product);
            existing = variantBySku(sku);
        }
        if (existing == null) {
            throw new IllegalStateException("Medusa created product " + title + " but has no variant " + sku);
        }
        return new ProductIds(existing.path("product_id").asText(), existing.path("id").asText(),
                inventoryItem(sku).path("id").asText());
    }

    /** {@code stocked_quantity} of the SKU's inventory item at the fixture's location; empty without a level. */
    public OptionalLong stockedQuantity(String sku) {
        JsonNode item = inventoryItem(sku);
        if (item == null) {
            throw new IllegalArgumentException("Medusa has no inventory item with SKU " + sku);
        }
        JsonNode levels = call("GET", "/admin/inventory-items/" + item.path("id").asText()
                + "/location-levels?location_id=" + encode(stockLocationId), null).path("inventory_levels");
        for (JsonNode level : levels) {
            if (stockLocationId.equals(level.path("location_id").asText())) {
                return OptionalLong.of(level.path("stocked_quantity").asLong());
            }
        }
        return OptionalLong.empty();
    }

    /** The variant's price in this currency (major units), ignoring region- or rule-bound prices. */
    public Optional<BigDecimal> price(String sku, String currency) {
        JsonNode variant = variantBySku(sku);
        if (variant == null) {
            throw new IllegalArgumentException("Medusa has no variant with SKU " + sku);
        }
        for (JsonNode price : variant.path("prices")) {
            boolean plain = price.path("rules").isEmpty() && price.path("min_quantity").isNull()
                    && price.path("max_quantity").isNull();
            if (plain && currency.equalsIgnoreCase(price.path("currency_code").asText())) {
                return Optional.of(price.path("amount").decimalValue().stripTrailingZeros());
            }
        }
        return Optional.empty();
    }

    /** Removes the SKU's level at the fixture's location, so a test can watch a client create it. */
    public void deleteLocationLevel(String sku) {
        JsonNode item = inventoryItem(sku);
        if (item != null && stockedQuantity(sku).isPresent()) {
            // Medusa refuses to delete a level that still holds stock ("not_allowed ... Use force flag").
            String level = "/admin/inventory-items/" + item.path("id").asText() + "/location-levels/" + stockLocationId;
            call("POST", level, JSON.createObjectNode().put("stocked_quantity", 0));
            call("DELETE", level, null);
        }
    }

    public JsonNode call(String method, String path, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (secretApiKey != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((secretApiKey + ":").getBytes(StandardCharsets.UTF_8)));
        }
        return send(request, method + " " + path);
    }

    public synchronized void stop() {
        if (server != null) {
            server.descendants().forEach(ProcessHandle::destroy);
            server.destroy();
            try {
                if (!server.waitFor(15, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
        try {
            stopPostgres(work);
        } catch (IOException | RuntimeException e) {
            System.err.println("real-medusa: cannot stop PostgreSQL: " + e);
        }
    }

    // ---------------------------------------------------------------- start-up

    private static RealMedusa start() {
        Map<String, Duration> timings = new LinkedHashMap<>();
        Path work = Path.of("target", "real-medusa").toAbsolutePath();
        try {
            Files.createDirectories(work);
            Instant begin = Instant.now();
            checkNode(work);
            Path app = installProject(work, timings);
            Instant phase = Instant.now();
            ensurePostgresInstalled(work);
            killStaleServer(work);
            int postgresPort = HubProcess.freePort();
            boolean seeded = startPostgres(work, postgresPort, seedKey());
            timings.put("postgres", Duration.between(phase, Instant.now()));
            RealMedusa medusa = new RealMedusa(work, postgresPort, timings);
            try {
                phase = Instant.now();
                if (seeded) {
                    medusa.resetFromSeed();
                } else {
                    medusa.setUpDatabase(app);
                }
                timings.put(seeded ? "database (reset from template)" : "database (db:setup + user + template)",
                        Duration.between(phase, Instant.now()));
                phase = Instant.now();
                medusa.startServer(app);
                timings.put("medusa start", Duration.between(phase, Instant.now()));
                phase = Instant.now();
                medusa.bootstrap();
                timings.put("bootstrap", Duration.between(phase, Instant.now()));
            } catch (RuntimeException | IOException e) {
                medusa.stop();
                throw e;
            }
            timings.put("total", Duration.between(begin, Instant.now()));
            System.out.println("real-medusa: up at " + medusa.url() + ", start-up " + timings);
            return medusa;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a real Medusa server", e);
        }
    }

    private static void checkNode(Path work) throws IOException {
        String version;
        try {
            version = run(work, Map.of(), Duration.ofSeconds(30), "node", "--version").strip();
        } catch (IOException | IllegalStateException e) {
            throw new IllegalStateException("Medusa 2 needs Node.js ^20.19 or >=22.12 with npm on the PATH", e);
        }
        String[] parts = version.replaceFirst("^v", "").split("\\.");
        int major = Integer.parseInt(parts[0]);
        int minor = Integer.parseInt(parts[1]);
        if (major < 20 || (major == 20 && minor < 19) || (major == 22 && minor < 12) || major == 21) {
            throw new IllegalStateException("Medusa 2.21 needs Node.js ^20.19 or >=22.12, this is " + version);
        }
    }

    /** Copies the npm project and installs it unless the same lock file is already installed there. */
    private static Path installProject(Path work, Map<String, Duration> timings) throws IOException {
        Path app = work.resolve("app");
        Files.createDirectories(app);
        try (Stream<Path> files = Files.list(PROJECT_SOURCE)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, app.resolve(file.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        String key = projectKey();
        Path marker = app.resolve("node_modules").resolve(INSTALL_MARKER);
        Instant phase = Instant.now();
        if (Files.isRegularFile(marker) && key.equals(Files.readString(marker).strip())
                && Files.isExecutable(app.resolve("node_modules/.bin/medusa"))) {
            timings.put("npm install (reused)", Duration.between(phase, Instant.now()));
            return app;
        }
        run(app, Map.of(), Duration.ofMinutes(15), "npm", "install", "--no-audit", "--no-fund", "--prefer-offline");
        Files.writeString(marker, key + "\n");
        timings.put("npm install", Duration.between(phase, Instant.now()));
        return app;
    }

    private static void ensurePostgresInstalled(Path work) throws IOException {
        if (Files.isExecutable(PG_BIN.resolve("initdb")) && Files.isExecutable(PG_BIN.resolve("pg_ctl"))) {
            return;
        }
        if (!isRoot()) {
            throw new IllegalStateException("PostgreSQL 15 is not installed and this is not root: run "
                    + "'apt-get install postgresql-15' once");
        }
        Map<String, String> env = Map.of("DEBIAN_FRONTEND", "noninteractive");
        run(work, env, Duration.ofMinutes(5), "apt-get", "update", "-qq");
        run(work, env, Duration.ofMinutes(10), "apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql-15");
    }

    /**
     * Starts the private cluster (creating it when there is no usable one) and says whether it already holds the
     * seed database for this project version.
     */
    private static boolean startPostgres(Path work, int port, String seedKey) throws IOException {
        Path pg = work.resolve("pg");
        Path data = pg.resolve("data");
        Path marker = pg.resolve(SEED_MARKER);
        boolean seeded = Files.isRegularFile(marker) && seedKey.equals(Files.readString(marker).strip())
                && Files.isRegularFile(data.resolve("PG_VERSION"));
        try {
            stopPostgres(work);
        } catch (IllegalStateException leftOver) {
            // a stale postmaster.pid from a killed run: nothing is running, initdb or pg_ctl start will cope
        }
        if (!seeded) {
            deleteTree(pg);
            Files.createDirectories(pg);
            chownToPostgres(pg);
            asPostgres(pg, Duration.ofMinutes(2), PG_BIN.resolve("initdb").toString(), "-D", data.toString(),
                    "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8");
            Files.writeString(data.resolve("postgresql.conf"), "\ninclude_if_exists = 'channelhub.conf'\n",
                    StandardOpenOption.APPEND);
        }
        // Loopback only, no Unix socket (pg_ctl -w reads readiness from postmaster.pid), no fsync: a test database.
        Files.writeString(data.resolve("channelhub.conf"), """
                listen_addresses = '127.0.0.1'
                port = %d
                unix_socket_directories = ''
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                """.formatted(port));
        asPostgres(pg, Duration.ofMinutes(2), PG_BIN.resolve("pg_ctl").toString(), "-D", data.toString(),
                "-l", pg.resolve("postgres.log").toString(), "-w", "-t", "60", "start");
        return seeded;
    }

    private static void stopPostgres(Path work) throws IOException {
        Path data = work.resolve("pg").resolve("data");
        if (Files.isRegularFile(data.resolve("postmaster.pid"))) {
            asPostgres(work.resolve("pg"), Duration.ofMinutes(1), PG_BIN.resolve("pg_ctl").toString(), "-D",
                    data.toString(), "-m", "fast", "-w", "stop");
        }
    }

    /** A Medusa left running by a JVM that was killed before its shutdown hook ran. */
    private static void killStaleServer(Path work) throws IOException {
        Path pidFile = work.resolve("medusa.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle.of(pid).filter(process -> process.info().commandLine().orElse("").contains("medusa"))
                .ifPresent(process -> {
                    process.descendants().forEach(ProcessHandle::destroy);
                    process.destroy();
                    process.onExit().orTimeout(15, TimeUnit.SECONDS).exceptionally(late -> {
                        process.destroyForcibly();
                        return process;
                    }).join();
                });
        Files.delete(pidFile);
    }

    private void setUpDatabase(Path app) throws IOException {
        writeEnvFile(app);
        run(app, medusaEnvironment(), Duration.ofMinutes(5), app.resolve("node_modules/.bin/medusa").toString(),
                "db:setup", "--db", DATABASE);
        run(app, medusaEnvironment(), Duration.ofMinutes(2), app.resolve("node_modules/.bin/medusa").toString(),
                "user", "-e", ADMIN_EMAIL, "-p", ADMIN_PASSWORD);
        sql("CREATE DATABASE " + SEED_DATABASE + " TEMPLATE " + DATABASE);
        Files.writeString(work.resolve("pg").resolve(SEED_MARKER), seedKey() + "\n");
    }

    private void resetFromSeed() {
        sql("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        sql("CREATE DATABASE " + DATABASE + " TEMPLATE " + SEED_DATABASE);
    }

    private void startServer(Path app) throws IOException {
        writeEnvFile(app);
        port = HubProcess.freePort();
        Path log = work.resolve("medusa.log");
        ProcessBuilder builder = new ProcessBuilder(app.resolve("node_modules/.bin/medusa").toString(), "start",
                "-H", "127.0.0.1", "-p", String.valueOf(port))
                .directory(app.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(medusaEnvironment());
        server = builder.start();
        Files.writeString(work.resolve("medusa.pid"), server.pid() + "\n");
        Instant deadline = Instant.now().plusSeconds(180);
        while (Instant.now().isBefore(deadline)) {
            if (!server.isAlive()) {
                throw new IllegalStateException("medusa start exited with " + server.exitValue() + "; "
                        + log + " ends with:\n" + tail(log, 60));
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(url() + "/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            sleep(250);
        }
        throw new IllegalStateException("Medusa did not answer /health within 180 s; " + log + " ends with:\n" + tail(log, 60));
    }

    private Map<String, String> medusaEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DATABASE_URL", "postgres://postgres@127.0.0.1:" + postgresPort + "/" + DATABASE);
        env.put("MEDUSA_DISABLE_TELEMETRY", "true");
        env.put("JWT_SECRET", "channelhub-test-jwt");
        env.put("COOKIE_SECRET", "channelhub-test-cookie");
        env.put("STORE_CORS", "http://127.0.0.1");
        env.put("ADMIN_CORS", "http://127.0.0.1");
        env.put("AUTH_CORS", "http://127.0.0.1");
        return env;
    }

    /** {@code medusa db:create} (part of db:setup) reads DATABASE_URL from the project's .env file, not the environment. */
    private void writeEnvFile(Path app) throws IOException {
        StringBuilder env = new StringBuilder();
        medusaEnvironment().forEach((key, value) -> env.append(key).append('=').append(value).append('\n'));
        Files.writeString(app.resolve(".env"), env.toString());
    }

    /**
     * What a merchant does once in the admin: an API key for the hub, EUR as store currency, a warehouse that
     * serves the default sales channel. Idempotent on the location (found by name).
     */
    private void bootstrap() {
        ObjectNode credentials = JSON.createObjectNode().put("email", ADMIN_EMAIL).put("password", ADMIN_PASSWORD);
        String jwt = send(HttpRequest.newBuilder(URI.create(url() + "/auth/user/emailpass")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(credentials.toString())), "login").path("token").asText();
        JsonNode key = send(HttpRequest.newBuilder(URI.create(url() + "/admin/api-keys")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + jwt)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("title", "channelhub")
                        .put("type", "secret").toString())), "create secret api key").path("api_key");
        secretApiKey = key.path("token").asText();
        if (!secretApiKey.startsWith("sk_")) {
            throw new IllegalStateException("Medusa returned no secret API key");
        }

        JsonNode store = call("GET", "/admin/stores", null).path("stores").get(0);
        ObjectNode currencies = JSON.createObjectNode();
        currencies.putArray("supported_currencies").addObject().put("currency_code", CURRENCY).put("is_default", true);
        call("POST", "/admin/stores/" + store.path("id").asText(), currencies);

        salesChannelId = call("GET", "/admin/sales-channels?name=" + encode("Default Sales Channel"), null)
                .path("sales_channels").get(0).path("id").asText();
        shippingProfileId = call("GET", "/admin/shipping-profiles?type=default", null)
                .path("shipping_profiles").get(0).path("id").asText();

        JsonNode locations = call("GET", "/admin/stock-locations?name=" + encode(LOCATION_NAME), null).path("stock_locations");
        if (locations.isEmpty()) {
            ObjectNode location = JSON.createObjectNode().put("name", LOCATION_NAME);
            location.putObject("address").put("address_1", "1 Dock").put("city", "Aarhus").put("country_code", "DK");
            stockLocationId = call("POST", "/admin/stock-locations", location).path("stock_location").path("id").asText();
        } else {
            stockLocationId = locations.get(0).path("id").asText();
        }
        ObjectNode link = JSON.createObjectNode();
        link.putArray("add").add(salesChannelId);
        call("POST", "/admin/stock-locations/" + stockLocationId + "/sales-channels", link);
    }

    // ---------------------------------------------------------------- Medusa reads

    private JsonNode variantBySku(String sku) {
        // prices.rules only comes back filled when price_rules are asked for as well.
        JsonNode variants = call("GET", "/admin/product-variants?sku=" + encode(sku) + "&fields=" + encode(
                "id,sku,product_id,prices.id,prices.amount,prices.currency_code,prices.min_quantity,prices.max_quantity,"
                        + "prices.rules,prices.price_rules.attribute,prices.price_rules.value"), null).path("variants");
        for (JsonNode variant : variants) {
            if (sku.equals(variant.path("sku").asText())) {
                return variant;
            }
        }
        return null;
    }

    private JsonNode inventoryItem(String sku) {
        for (JsonNode item : call("GET", "/admin/inventory-items?sku=" + encode(sku), null).path("inventory_items")) {
            if (sku.equals(item.path("sku").asText())) {
                return item;
            }
        }
        return null;
    }

    private JsonNode send(HttpRequest.Builder request, String what) {
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Medusa: " + what + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("Medusa: " + what + " answered " + response.statusCode() + ": " + response.body());
        }
        try {
            String body = response.body();
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("Medusa: " + what + " answered no JSON: " + response.body(), e);
        }
    }

    // ---------------------------------------------------------------- plumbing

    private void sql(String statement) {
        String jdbc = "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres";
        try (Connection connection = DriverManager.getConnection(jdbc, "postgres", "");
             Statement sql = connection.createStatement()) {
            sql.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL: " + statement + " failed", e);
        }
    }

    private static String projectKey() throws IOException {
        return sha256(Files.readAllBytes(PROJECT_SOURCE.resolve("package.json")),
                Files.readAllBytes(PROJECT_SOURCE.resolve("package-lock.json")));
    }

    /** The seed database belongs to one Medusa install (its migrations) and one PostgreSQL major version. */
    private static String seedKey() throws IOException {
        return projectKey() + "-pg15";
    }

    private static String sha256(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void chownToPostgres(Path directory) throws IOException {
        if (isRoot()) {
            run(directory, Map.of(), Duration.ofSeconds(30), "chown", "-R", "postgres:postgres", directory.toString());
        }
    }

    /** PostgreSQL refuses to run as root: as root (CI), run its tools as the {@code postgres} user. */
    private static String asPostgres(Path directory, Duration timeout, String... command) throws IOException {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        return run(directory, Map.of(), timeout, full.toArray(String[]::new));
    }

    private static String run(Path directory, Map<String, String> environment, Duration timeout, String... command)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Path log = Files.createTempFile("real-medusa-cmd", ".log");
        try {
            Process process = builder.redirectOutput(log.toFile()).start();
            try {
                if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " took longer than " + timeout
                            + ":\n" + tail(log, 40));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed with " + process.exitValue()
                        + ":\n" + tail(log, 60));
            }
            return Files.readString(log);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
