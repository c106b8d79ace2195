package io.channelhub.hub.security;

import io.channelhub.hub.config.HubProperties;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * Webhooks authenticate by signature, health is public (details only when logged in); Hawtio, Jolokia, metrics and
 * the ops API need the ops login: HTTP Basic (scripts) or the login form (a browser session, whose changes need the
 * CSRF token). The ops credentials come from {@code HUB_OPS_USERNAME}/{@code HUB_OPS_PASSWORD};
 * without them a random password is generated and written to {@code <data-dir>/ops-password} (owner-only), never
 * to the log.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    public static final String OPS_ROLE = "OPS";
    private static final Logger LOG = LoggerFactory.getLogger(SecurityConfiguration.class);

    @Bean
    SecurityFilterChain hubSecurity(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(requests -> requests
                        .requestMatchers("/webhooks/**").permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info").permitAll()
                        .anyRequest().hasRole(OPS_ROLE))
                .httpBasic(Customizer.withDefaults())
                .formLogin(Customizer.withDefaults())
                // A browser that logged in through the form sends its session cookie with any request, also one a page
                // on another site makes: whatever it authenticates (the ops API, Jolokia, Hawtio) needs the CSRF token.
                // Webhooks are signed, and a request with its own Basic credentials (a script, curl -u) is no such
                // request, as no page on another site can set an Authorization header.
                .csrf(csrf -> csrf.csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                        .csrfTokenRequestHandler(new ConsoleCsrfTokenRequestHandler())
                        .ignoringRequestMatchers("/webhooks/**")
                        .ignoringRequestMatchers(SecurityConfiguration::carriesItsOwnBasicCredentials));
        return http.build();
    }

    /**
     * Whether the request brings HTTP Basic credentials of its own and no browser marks it as coming from another site.
     * A browser that cached Basic credentials for the hub (after a login prompt) sends them on its own, also with a
     * request a page on another site makes; it then says so in {@code Sec-Fetch-Site}, and the token is needed. Scripts
     * send no {@code Sec-Fetch-Site}.
     */
    static boolean carriesItsOwnBasicCredentials(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String site = request.getHeader("Sec-Fetch-Site");
        return site == null || site.equals("same-origin") || site.equals("none");
    }

    @Bean
    UserDetailsService opsUsers(Environment environment, HubProperties properties) {
        PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        String username = environment.getProperty("HUB_OPS_USERNAME", "ops");
        String password = environment.getProperty("HUB_OPS_PASSWORD");
        if (password == null || password.isBlank()) {
            password = generatedPassword(properties.dataDir());
        }
        return new InMemoryUserDetailsManager(User.withUsername(username)
                .password(encoder.encode(password))
                .roles(OPS_ROLE)
                .build());
    }

    private static String generatedPassword(Path dataDir) {
        Path file = dataDir.resolve("ops-password");
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.writeString(file, password + "\n");
            try {
                Files.setPosixFilePermissions(file, Set.copyOf(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                LOG.warn("cannot restrict permissions of {} on this file system", file);
            }
            LOG.info("HUB_OPS_PASSWORD is not set: generated an ops password into {} (user 'ops')", file.toAbsolutePath());
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the generated ops password in " + file, e);
        }
    }
}
