package io.channelhub.hub.partners;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.channelhub.hub.config.HubProperties;
import io.channelhub.hub.sandbox.SandboxLauncher;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Currency;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads every {@code <partners-dir>/*.yaml} at start-up, validates it and resolves its credentials from the
 * environment. Anything wrong stops the hub with the file and the key in the message: a hub that starts is a hub
 * whose partners are usable. A sandbox partner whose credential variable is unset gets a random one, shared only
 * with its in-process simulator.
 */
@Component
public class PartnerRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(PartnerRegistry.class);
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
                    // A key given twice is an error, not the last one silently winning.
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .registerModule(new JavaTimeModule())
            // The same duration syntax as application.yaml ("10s", "500ms", "PT10S").
            .registerModule(new SimpleModule().addDeserializer(Duration.class,
                    new FromStringDeserializer<>(Duration.class) {
                        @Override
                        protected Duration _deserialize(String value, DeserializationContext context) {
                            return DurationStyle.detectAndParse(value);
                        }
                    }))
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Map<String, Partner> partners;

    public PartnerRegistry(HubProperties properties, Environment environment, Validator validator,
                           SandboxLauncher sandboxes) {
        Path directory = properties.partnersDir();
        Map<String, Partner> loaded = new LinkedHashMap<>();
        for (Path file : files(directory)) {
            PartnerDefinition definition = read(file, validator);
            if (loaded.containsKey(definition.id())) {
                throw new PartnerConfigException(file + ": id '" + definition.id() + "' is already used by "
                        + loaded.get(definition.id()).source());
            }
            loaded.put(definition.id(), resolve(file.toString(), definition, environment, sandboxes));
        }
        requireRoles(directory, loaded);
        this.partners = Map.copyOf(loaded);
        LOG.info("partners: {}", loaded.values());
    }

    public Partner get(String id) {
        Partner partner = partners.get(id);
        if (partner == null) {
            throw new IllegalArgumentException("no partner '" + id + "'");
        }
        return partner;
    }

    public Optional<Partner> find(String id) {
        return Optional.ofNullable(partners.get(id));
    }

    public List<Partner> byConnector(PartnerDefinition.Connector connector) {
        return partners.values().stream().filter(partner -> partner.definition().connector() == connector)
                .sorted(Comparator.comparing(Partner::id)).toList();
    }

    /** The partners the hub sells through: those with a {@code channel} section. */
    public List<Partner> channels() {
        return partners.values().stream().filter(partner -> partner.definition().channel() != null)
                .sorted(Comparator.comparing(Partner::id)).toList();
    }

    public List<String> channelIds() {
        return channels().stream().map(Partner::id).toList();
    }

    /** The one ERP the order flow books into. */
    public Partner erp() {
        return byConnector(PartnerDefinition.Connector.tryton).get(0);
    }

    /** The one CRM the order flow upserts customers and orders into. */
    public Partner crm() {
        return byConnector(PartnerDefinition.Connector.salesforce).get(0);
    }

    private static List<Path> files(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new PartnerConfigException("hub.partners-dir: " + directory.toAbsolutePath() + " is not a directory");
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(path -> path.getFileName().toString().matches(".*\\.ya?ml")).sorted().toList();
        } catch (IOException e) {
            throw new PartnerConfigException("hub.partners-dir: cannot list " + directory, e);
        }
    }

    private static PartnerDefinition read(Path file, Validator validator) {
        PartnerDefinition definition;
        try {
            definition = YAML.readValue(file.toFile(), PartnerDefinition.class);
        } catch (UnrecognizedPropertyException e) {
            throw new PartnerConfigException(file + ": unknown key '" + path(e) + "'");
        } catch (JsonProcessingException e) {
            throw new PartnerConfigException(file + ": " + unreadable(e) + locationOf(e), e);
        } catch (IOException e) {
            throw new PartnerConfigException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        if (definition == null) {
            throw new PartnerConfigException(file + ": empty file");
        }
        List<String> problems = new ArrayList<>();
        for (ConstraintViolation<PartnerDefinition> violation : validator.validate(definition)) {
            problems.add(kebab(violation.getPropertyPath().toString()) + " " + violation.getMessage());
        }
        String section = definition.connector() == null ? null : definition.connector().name();
        boolean hasSection = definition.connector() != null && switch (definition.connector()) {
            case shopify -> definition.shopify() != null;
            case tryton -> definition.tryton() != null;
            case salesforce -> definition.salesforce() != null;
            case amazon -> definition.amazon() != null;
            case ebay -> definition.ebay() != null;
            case otto -> definition.otto() != null;
            case medusa -> definition.medusa() != null;
        };
        if (section != null && !hasSection) {
            problems.add(section + " section is required for connector " + section);
        }
        boolean marketplace = definition.connector() != null && switch (definition.connector()) {
            case amazon, ebay, otto, medusa -> true;
            default -> false;
        };
        if (marketplace && definition.channel() == null) {
            problems.add("channel section is required for connector " + section + " (it is a selling channel)");
        }
        if (definition.channel() != null && definition.connector() != null && !marketplace
                && definition.connector() != PartnerDefinition.Connector.shopify) {
            problems.add("channel section is only for selling channels, not for connector " + section);
        }
        if (definition.channel() != null && definition.shopify() != null) {
            if (definition.shopify().adminTokenEnv() == null) {
                problems.add("shopify.admin-token-env is required for a shop that is a selling channel");
            }
            if (definition.shopify().locationId() == null || !definition.shopify().locationId().startsWith("gid://shopify/Location/")) {
                problems.add("shopify.location-id must be a gid://shopify/Location/<n> for a shop that is a selling channel");
            }
        }
        problems.addAll(listingProblems(definition));
        String expectedName = definition.id() + ".yaml";
        if (definition.id() != null && !file.getFileName().toString().equals(expectedName)) {
            problems.add("id '" + definition.id() + "' does not match the file name (expected " + expectedName + ")");
        }
        if (!problems.isEmpty()) {
            throw new PartnerConfigException(file + ": " + String.join("; ", problems.stream().sorted().toList()));
        }
        return definition;
    }

    /**
     * What the listing's bounds alone cannot say: a currency ISO 4217 does not know (the pattern lets "EUX" through,
     * and at run time every product of the catalogue's batch would fail on it), price bounds the wrong way round, and a
     * Medusa shop selling in another currency than the listing's, whose every price it would refuse.
     */
    private static List<String> listingProblems(PartnerDefinition definition) {
        PartnerDefinition.Listing listing = definition.channel() == null ? null : definition.channel().listing();
        if (listing == null) {
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        if (listing.currency() != null && listing.currency().matches("[A-Z]{3}")) {
            try {
                if (Currency.getInstance(listing.currency()).getDefaultFractionDigits() < 0) {
                    problems.add("channel.listing.currency " + listing.currency() + " is no currency prices are given in");
                }
            } catch (IllegalArgumentException unknown) {
                problems.add("channel.listing.currency " + PartnerDefinition.ISO_4217 + ", not " + listing.currency());
            }
        }
        if (listing.minPrice() != null && listing.maxPrice() != null && listing.minPrice().compareTo(listing.maxPrice()) > 0) {
            problems.add("channel.listing.min-price (" + listing.minPrice() + ") is above channel.listing.max-price ("
                    + listing.maxPrice() + ")");
        }
        if (definition.medusa() != null && definition.medusa().currency() != null && listing.currency() != null
                && !definition.medusa().currency().equalsIgnoreCase(listing.currency())) {
            problems.add("medusa.currency (" + definition.medusa().currency() + ") differs from channel.listing.currency ("
                    + listing.currency() + "): the shop would refuse every price");
        }
        return problems;
    }

    private static Partner resolve(String source, PartnerDefinition definition, Environment environment,
                                   SandboxLauncher sandboxes) {
        Map<String, String> credentials = new HashMap<>();
        String endpoint;
        switch (definition.connector()) {
            case shopify -> {
                var shopify = definition.shopify();
                credentials.put("webhookSecret", secret(source, "shopify.webhook-secret-env",
                        shopify.webhookSecretEnv(), definition.sandbox(), environment));
                if (shopify.previousWebhookSecretEnv() != null
                        && environment.getProperty(shopify.previousWebhookSecretEnv()) != null) {
                    credentials.put("previousWebhookSecret", environment.getProperty(shopify.previousWebhookSecretEnv()));
                }
                endpoint = "https://" + shopify.shopDomain();
                if (definition.channel() != null) {
                    credentials.put("adminToken", secret(source, "shopify.admin-token-env", shopify.adminTokenEnv(),
                            definition.sandbox(), environment));
                    endpoint = definition.sandbox()
                            ? sandboxes.startShopifyAdmin(definition.id(), credentials.get("adminToken"))
                            : shopify.adminUrl() != null ? requiredUrl(source, "shopify.admin-url", shopify.adminUrl()) : endpoint;
                }
            }
            case amazon -> {
                var amazon = definition.amazon();
                credentials.put("clientId", secret(source, "amazon.client-id-env", amazon.clientIdEnv(), definition.sandbox(), environment));
                credentials.put("clientSecret", secret(source, "amazon.client-secret-env", amazon.clientSecretEnv(), definition.sandbox(), environment));
                credentials.put("refreshToken", secret(source, "amazon.refresh-token-env", amazon.refreshTokenEnv(), definition.sandbox(), environment));
                endpoint = definition.sandbox()
                        ? sandboxes.startAmazon(definition.id(), credentials.get("clientId"), credentials.get("clientSecret"),
                                credentials.get("refreshToken"), amazon.sellerId())
                        : requiredUrl(source, "amazon.endpoint", amazon.endpoint());
            }
            case ebay -> {
                var ebay = definition.ebay();
                credentials.put("clientId", secret(source, "ebay.client-id-env", ebay.clientIdEnv(), definition.sandbox(), environment));
                credentials.put("clientSecret", secret(source, "ebay.client-secret-env", ebay.clientSecretEnv(), definition.sandbox(), environment));
                credentials.put("refreshToken", secret(source, "ebay.refresh-token-env", ebay.refreshTokenEnv(), definition.sandbox(), environment));
                endpoint = definition.sandbox()
                        ? sandboxes.startEbay(definition.id(), credentials.get("clientId"), credentials.get("clientSecret"),
                                credentials.get("refreshToken"))
                        : requiredUrl(source, "ebay.url", ebay.url());
            }
            case otto -> {
                var otto = definition.otto();
                credentials.put("clientId", secret(source, "otto.client-id-env", otto.clientIdEnv(), definition.sandbox(), environment));
                credentials.put("clientSecret", secret(source, "otto.client-secret-env", otto.clientSecretEnv(), definition.sandbox(), environment));
                endpoint = definition.sandbox()
                        ? sandboxes.startOtto(definition.id(), credentials.get("clientId"), credentials.get("clientSecret"))
                        : requiredUrl(source, "otto.url", otto.url());
            }
            case medusa -> {
                var medusa = definition.medusa();
                credentials.put("apiKey", secret(source, "medusa.api-key-env", medusa.apiKeyEnv(), definition.sandbox(), environment));
                if (!definition.sandbox() && (medusa.stockLocationId() == null || medusa.stockLocationId().isBlank())) {
                    throw new PartnerConfigException(source + ": medusa.stock-location-id is required for a real Medusa shop");
                }
                endpoint = definition.sandbox()
                        ? sandboxes.startMedusa(definition.id(), credentials.get("apiKey"))
                        : requiredUrl(source, "medusa.url", medusa.url());
            }
            case tryton -> {
                var tryton = definition.tryton();
                credentials.put("password", secret(source, "tryton.password-env", tryton.passwordEnv(),
                        definition.sandbox(), environment));
                endpoint = definition.sandbox()
                        ? sandboxes.startTryton(definition.id(), tryton.database(), tryton.user(), credentials.get("password"))
                        : requiredUrl(source, "tryton.url", tryton.url());
            }
            case salesforce -> {
                var salesforce = definition.salesforce();
                credentials.put("clientId", secret(source, "salesforce.client-id-env", salesforce.clientIdEnv(), definition.sandbox(), environment));
                credentials.put("clientSecret", secret(source, "salesforce.client-secret-env", salesforce.clientSecretEnv(), definition.sandbox(), environment));
                credentials.put("username", secret(source, "salesforce.username-env", salesforce.usernameEnv(), definition.sandbox(), environment));
                credentials.put("password", secret(source, "salesforce.password-env", salesforce.passwordEnv(), definition.sandbox(), environment));
                endpoint = definition.sandbox()
                        ? sandboxes.startSalesforce(definition.id(), credentials.get("clientId"), credentials.get("clientSecret"),
                                credentials.get("username"), credentials.get("password"))
                        : requiredUrl(source, "salesforce.login-url", salesforce.loginUrl());
            }
            default -> throw new IllegalStateException("unhandled connector " + definition.connector());
        }
        return new Partner(definition, source, endpoint, credentials);
    }

    private static String secret(String source, String key, String variable, boolean sandbox, Environment environment) {
        String value = environment.getProperty(variable);
        if (value != null && !value.isBlank()) {
            return value;
        }
        if (sandbox) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        }
        throw new PartnerConfigException(source + ": " + key + " names the environment variable " + variable
                + ", which is not set");
    }

    private static String requiredUrl(String source, String key, String url) {
        if (url == null || !url.matches("https?://.+")) {
            throw new PartnerConfigException(source + ": " + key + " must be an http(s) URL for a partner that is not a sandbox");
        }
        return url;
    }

    private static void requireRoles(Path directory, Map<String, Partner> loaded) {
        for (PartnerDefinition.Connector connector : List.of(PartnerDefinition.Connector.shopify,
                PartnerDefinition.Connector.tryton, PartnerDefinition.Connector.salesforce)) {
            long count = loaded.values().stream().filter(p -> p.definition().connector() == connector).count();
            if (count == 0) {
                throw new PartnerConfigException(directory + ": no partner with connector '" + connector
                        + "'; the order flow needs a shop, an ERP (tryton) and a CRM (salesforce)");
            }
            if (connector != PartnerDefinition.Connector.shopify && count > 1) {
                throw new PartnerConfigException(directory + ": " + count + " partners with connector '" + connector
                        + "'; this version books orders into exactly one");
            }
        }
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }

    /** Why the file could not be read, naming the key where there is one. */
    private static String unreadable(JsonProcessingException e) {
        String reason = e.getOriginalMessage().lines().findFirst().orElse("unreadable");
        if (reason.startsWith("Duplicate field") && e.getProcessor() instanceof JsonParser parser) {
            return "key '" + keyPath(parser.getParsingContext()) + "' is given twice";
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            // A value of the wrong type ("safety-buffer: lots"): the key it was given for, then what was wrong with it.
            return path(mapping) + ": " + reason;
        }
        return reason;
    }

    /** The key being read, as written in the file: {@code channel.listing.max-drop-percent}. */
    private static String keyPath(JsonStreamContext context) {
        Deque<String> keys = new ArrayDeque<>();
        for (JsonStreamContext at = context; at != null && !at.inRoot(); at = at.getParent()) {
            keys.push(at.inArray() ? "[" + at.getCurrentIndex() + "]" : String.valueOf(at.getCurrentName()));
        }
        return String.join(".", keys);
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(reference -> reference.getFieldName() == null
                ? "[" + reference.getIndex() + "]" : reference.getFieldName())
                .reduce((a, b) -> a + "." + b).orElse(e instanceof PropertyBindingException unknown ? unknown.getPropertyName() : "");
    }

    private static String kebab(String propertyPath) {
        return propertyPath.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
