package io.channelhub.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.channelhub.connectors.tryton.TrytonClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.channelhub.connectors.tryton.TrytonClient.JSON;

/**
 * A real Tryton 6.0 server from Debian's packages (shared/real-peers.md §1) for end-to-end tests: installed with
 * apt-get when missing (CI runs as root on a fresh machine), initialised into a fresh SQLite database, started on a
 * free loopback port and bootstrapped with a currency, a company and the products the tests sell. One per JVM.
 */
public final class RealTryton {

    public static final String DATABASE = "erp";
    public static final String PASSWORD = "admin";
    private static final List<String> PACKAGES = List.of("tryton-server", "tryton-modules-party",
            "tryton-modules-product", "tryton-modules-stock", "tryton-modules-sale");
    private static RealTryton instance;

    private final Path directory;
    private final int port;
    private final Process server;

    private RealTryton(Path directory, int port, Process server) {
        this.directory = directory;
        this.port = port;
        this.server = server;
    }

    public static synchronized RealTryton instance() {
        if (instance == null) {
            instance = start();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stop));
        }
        return instance;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public TrytonClient client() {
        return new TrytonClient("real-tryton", url(), DATABASE, "admin", PASSWORD, Duration.ofSeconds(30));
    }

    public void stop() {
        server.destroy();
        try {
            server.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.destroyForcibly();
    }

    private static RealTryton start() {
        try {
            ensureInstalled();
            Path directory = Files.createTempDirectory("real-tryton");
            Files.createDirectories(directory.resolve("db"));
            Files.createDirectories(directory.resolve("attach"));
            int port = freePort();
            Path config = directory.resolve("trytond.conf");
            Files.writeString(config, """
                    [database]
                    uri = sqlite://
                    path = %s
                    [web]
                    listen = 127.0.0.1:%d
                    [attachment]
                    path = %s
                    [session]
                    timeout = 86400
                    """.formatted(directory.resolve("db"), port, directory.resolve("attach")));
            Files.writeString(directory.resolve("adminpass"), PASSWORD + "\n");
            // The SQLite backend does not create the database file itself.
            Files.createFile(directory.resolve("db").resolve(DATABASE + ".sqlite"));
            run(directory, Map.of("TRYTONPASSFILE", directory.resolve("adminpass").toString()), Duration.ofMinutes(5),
                    "/usr/bin/trytond-admin", "-c", config.toString(), "-d", DATABASE, "--email", "admin@example.com",
                    "-u", "party", "product", "stock", "sale", "--activate-dependencies");
            Process server = new ProcessBuilder("/usr/bin/trytond", "-c", config.toString(), "-d", DATABASE)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("trytond.log").toFile())
                    .start();
            RealTryton tryton = new RealTryton(directory, port, server);
            tryton.awaitReady();
            tryton.bootstrap();
            return tryton;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a real Tryton server", e);
        }
    }

    private static void ensureInstalled() throws IOException {
        if (Files.isExecutable(Path.of("/usr/bin/trytond")) && Files.isExecutable(Path.of("/usr/bin/trytond-admin"))) {
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("Tryton is not installed and this is not root: run "
                    + "'apt-get install " + String.join(" ", PACKAGES) + "' once");
        }
        Path here = Path.of(".");
        run(here, Map.of("DEBIAN_FRONTEND", "noninteractive"), Duration.ofMinutes(5), "apt-get", "update", "-qq");
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends"));
        install.addAll(PACKAGES);
        run(here, Map.of("DEBIAN_FRONTEND", "noninteractive"), Duration.ofMinutes(10), install.toArray(String[]::new));
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plusSeconds(60);
        TrytonClient client = client();
        while (Instant.now().isBefore(deadline)) {
            if (!server.isAlive()) {
                throw new IllegalStateException("trytond exited; see " + directory.resolve("trytond.log"));
            }
            try {
                client.serverVersion();
                return;
            } catch (RuntimeException notYet) {
                sleep();
            }
        }
        throw new IllegalStateException("trytond did not answer within 60 s; see " + directory.resolve("trytond.log"));
    }

    /** A fresh database has no currency and no company; sales need both (real-peers.md §1, "one-time bootstrap"). */
    private void bootstrap() {
        TrytonClient client = client();
        ObjectNode none = JSON.objectNode();
        long eur = create(client, "model.currency.currency.create", JSON.objectNode().put("name", "Euro").put("code", "EUR")
                .put("symbol", "€").put("digits", 2).set("rounding", TrytonClient.decimal(new BigDecimal("0.01"))), none);
        long party = create(client, "model.party.party.create", JSON.objectNode().put("name", "ChannelHub Test Company"), none);
        long company = create(client, "model.company.company.create", JSON.objectNode().put("party", party).put("currency", eur), none);
        ObjectNode userValues = JSON.objectNode().put("company", company);
        userValues.set("companies", JSON.arrayNode().add(JSON.arrayNode().add("add").add(JSON.arrayNode().add(company))));
        client.call("model.res.user.write", JSON.arrayNode().add(JSON.arrayNode().add(1)).add(userValues).add(none));
        ObjectNode context = (ObjectNode) client.call("model.res.user.get_preferences", JSON.arrayNode().add(true).add(none));
        long unit = client.call("model.product.uom.search", JSON.arrayNode()
                .add(JSON.arrayNode().add(JSON.arrayNode().add("symbol").add("=").add("u"))).add(0).add(1).addNull().add(context))
                .get(0).asLong();
        for (Map.Entry<String, String> product : Map.of("TSHIRT-RED-M", "24.99", "MUG-BLUE", "9.90").entrySet()) {
            ObjectNode template = JSON.objectNode().put("name", product.getKey()).put("type", "goods")
                    .put("default_uom", unit).put("salable", true).put("sale_uom", unit);
            template.set("list_price", TrytonClient.decimal(new BigDecimal(product.getValue())));
            template.set("products", JSON.arrayNode().add(JSON.arrayNode().add("create")
                    .add(JSON.arrayNode().add(JSON.objectNode().put("suffix_code", product.getKey())))));
            create(client, "model.product.template.create", template, context);
        }
    }

    /** The user's preferences with the company: the context stock moves, inventories and sales need. */
    public ObjectNode context() {
        return (ObjectNode) client().call("model.res.user.get_preferences", JSON.arrayNode().add(true).add(JSON.objectNode()));
    }

    /** A goods product with this code (SKU) and list price, for a test of its own. @return the product.product id */
    public long createProduct(String sku, String listPrice) {
        TrytonClient client = client();
        ObjectNode context = context();
        long unit = unit(client, context);
        ObjectNode template = JSON.objectNode().put("name", sku).put("type", "goods")
                .put("default_uom", unit).put("salable", true).put("sale_uom", unit);
        template.set("list_price", TrytonClient.decimal(new BigDecimal(listPrice)));
        template.set("products", JSON.arrayNode().add(JSON.arrayNode().add("create")
                .add(JSON.arrayNode().add(JSON.objectNode().put("suffix_code", sku)))));
        create(client, "model.product.template.create", template, context);
        return productId(client, sku, context);
    }

    /**
     * A goods receipt: one done move of {@code quantity} from the supplier location into the storage location of the
     * warehouse with this code (real-peers.md §1, "relative stock").
     */
    public void receiveStock(String sku, String warehouseCode, long quantity) {
        TrytonClient client = client();
        ObjectNode context = context();
        JsonNode warehouse = client.call("model.stock.location.search_read", JSON.arrayNode()
                .add(JSON.arrayNode().add(JSON.arrayNode().add("type").add("=").add("warehouse"))
                        .add(JSON.arrayNode().add("code").add("=").add(warehouseCode)))
                .add(0).add(1).addNull().add(JSON.arrayNode().add("storage_location")).add(context)).get(0);
        long supplier = client.call("model.stock.location.search", JSON.arrayNode()
                .add(JSON.arrayNode().add(JSON.arrayNode().add("type").add("=").add("supplier")))
                .add(0).add(1).addNull().add(context)).get(0).asLong();
        long currency = client.call("model.company.company.read", JSON.arrayNode()
                .add(JSON.arrayNode().add(context.path("company").asLong())).add(JSON.arrayNode().add("currency"))
                .add(context)).get(0).path("currency").asLong();
        ObjectNode move = JSON.objectNode().put("product", productId(client, sku, context)).put("uom", unit(client, context))
                .put("quantity", (double) quantity).put("from_location", supplier)
                .put("to_location", warehouse.path("storage_location").asLong()).put("currency", currency);
        move.set("unit_price", TrytonClient.decimal(new BigDecimal("1.00")));
        long moveId = create(client, "model.stock.move.create", move, context);
        client.call("model.stock.move.do", JSON.arrayNode().add(JSON.arrayNode().add(moveId)).add(context));
    }

    /** Writes the template's list price, as a clerk editing the product would. */
    public void setListPrice(String sku, String listPrice) {
        TrytonClient client = client();
        ObjectNode context = context();
        long template = client.call("model.product.product.read", JSON.arrayNode()
                .add(JSON.arrayNode().add(productId(client, sku, context))).add(JSON.arrayNode().add("template"))
                .add(context)).get(0).path("template").asLong();
        client.call("model.product.template.write", JSON.arrayNode().add(JSON.arrayNode().add(template))
                .add(JSON.objectNode().set("list_price", TrytonClient.decimal(new BigDecimal(listPrice)))).add(context));
    }

    /** Tryton's own figures for a product in a warehouse: {@code quantity} and {@code forecast_quantity}. */
    public JsonNode quantities(String sku, String warehouseCode) {
        TrytonClient client = client();
        ObjectNode context = context();
        long warehouse = client.call("model.stock.location.search", JSON.arrayNode()
                .add(JSON.arrayNode().add(JSON.arrayNode().add("code").add("=").add(warehouseCode)))
                .add(0).add(1).addNull().add(context)).get(0).asLong();
        ObjectNode withLocation = context.deepCopy();
        withLocation.set("locations", JSON.arrayNode().add(warehouse));
        return client.call("model.product.product.read", JSON.arrayNode()
                .add(JSON.arrayNode().add(productId(client, sku, context)))
                .add(JSON.arrayNode().add("quantity").add("forecast_quantity")).add(withLocation)).get(0);
    }

    private static long productId(TrytonClient client, String sku, ObjectNode context) {
        return client.call("model.product.product.search", JSON.arrayNode()
                .add(JSON.arrayNode().add(JSON.arrayNode().add("code").add("=").add(sku)))
                .add(0).add(1).addNull().add(context)).get(0).asLong();
    }

    private static long unit(TrytonClient client, ObjectNode context) {
        return client.call("model.product.uom.search", JSON.arrayNode()
                .add(JSON.arrayNode().add(JSON.arrayNode().add("symbol").add("=").add("u"))).add(0).add(1).addNull()
                .add(context)).get(0).asLong();
    }

    /** Reads back what the hub booked: the sale with this reference and its lines, through Tryton's own API. */
    public JsonNode saleWithLines(String reference) {
        TrytonClient client = client();
        ObjectNode context = (ObjectNode) client.call("model.res.user.get_preferences", JSON.arrayNode().add(true).add(JSON.objectNode()));
        JsonNode sales = client.call("model.sale.sale.search_read", JSON.arrayNode()
                .add(JSON.arrayNode().add(JSON.arrayNode().add("reference").add("=").add(reference)))
                .add(0).addNull().addNull()
                .add(JSON.arrayNode().add("state").add("untaxed_amount").add("total_amount").add("currency.code")
                        .add("party.name").add("shipment_address.city").add("lines"))
                .add(context));
        ArrayNode result = JSON.arrayNode();
        for (JsonNode sale : sales) {
            ObjectNode copy = sale.deepCopy();
            // Tryton 6.0 answers a dotted field "a.b" as a nested object under "a."; flatten it for the tests.
            for (String dotted : List.of("currency.code", "party.name", "shipment_address.city")) {
                String[] parts = dotted.split("\\.");
                JsonNode nested = sale.path(parts[0] + ".").path(parts[1]);
                if (!nested.isMissingNode() && !copy.hasNonNull(dotted)) {
                    copy.set(dotted, nested);
                }
            }
            ArrayNode lineIds = JSON.arrayNode();
            sale.path("lines").forEach(lineIds::add);
            ArrayNode details = JSON.arrayNode();
            for (JsonNode line : client.call("model.sale.line.read", JSON.arrayNode().add(lineIds)
                    .add(JSON.arrayNode().add("product.code").add("quantity").add("unit_price").add("description"))
                    .add(context))) {
                ObjectNode lineCopy = line.deepCopy();
                if (!lineCopy.hasNonNull("product.code") && line.path("product.").has("code")) {
                    lineCopy.set("product.code", line.path("product.").path("code"));
                }
                details.add(lineCopy);
            }
            copy.set("line_details", details);
            result.add(copy);
        }
        return result;
    }

    private static long create(TrytonClient client, String method, ObjectNode values, ObjectNode context) {
        return client.call(method, JSON.arrayNode().add(JSON.arrayNode().add(values)).add(context)).get(0).asLong();
    }

    private static void run(Path directory, Map<String, String> environment, Duration timeout, String... command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Path log = Files.createTempFile("real-tryton-cmd", ".log");
        Process process = builder.redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " took longer than " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with " + process.exitValue() + ":\n"
                    + Files.readString(log));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
