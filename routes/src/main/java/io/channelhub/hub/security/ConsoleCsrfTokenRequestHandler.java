package io.channelhub.hub.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.csrf.CsrfTokenRequestHandler;
import org.springframework.security.web.csrf.XorCsrfTokenRequestAttributeHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

import java.util.function.Supplier;

/**
 * The CSRF token as the hub's two browser pages use it. The login form posts the masked token Spring renders into it
 * (the default). Hawtio reads the {@code XSRF-TOKEN} cookie and sends its value unmasked as {@code X-XSRF-TOKEN}, so a
 * token in that header is compared as it is; a page on another site can neither read the cookie nor set the header.
 * The cookie is written when Hawtio's pages load: nothing else asks for the token after the login, so without this a
 * logged-in Hawtio had no cookie to read and every one of its Jolokia requests was refused.
 */
final class ConsoleCsrfTokenRequestHandler implements CsrfTokenRequestHandler {

    private final CsrfTokenRequestHandler asSent = new CsrfTokenRequestAttributeHandler();
    private final CsrfTokenRequestHandler masked = new XorCsrfTokenRequestAttributeHandler();
    private final RequestMatcher consolePages = PathPatternRequestMatcher.withDefaults().matcher("/actuator/hawtio/**");

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, Supplier<CsrfToken> token) {
        masked.handle(request, response, token);
        if (consolePages.matches(request)) {
            token.get();
        }
    }

    @Override
    public String resolveCsrfTokenValue(HttpServletRequest request, CsrfToken token) {
        String header = request.getHeader(token.getHeaderName());
        return header != null && !header.isBlank() ? asSent.resolveCsrfTokenValue(request, token)
                : masked.resolveCsrfTokenValue(request, token);
    }
}
