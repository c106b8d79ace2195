package io.channelhub.hub.security;

import io.channelhub.hub.config.HubProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
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
 * the ops API need the ops login. The ops credentials come from {@code HUB_OPS_USERNAME}/{@code HUB_OPS_PASSWORD};
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
                // Webhooks are signed and the ops API is called with Basic auth by scripts; the browser-facing
                // console (Hawtio, Jolokia) keeps CSRF protection.
                .csrf(csrf -> csrf.csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                        .csrfTokenRequestHandler(new ConsoleCsrfTokenRequestHandler())
                        .ignoringRequestMatchers("/webhooks/**", "/ops/**"));
        return http.build();
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
