package org.canvasbatch.adapters.http;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.util.Set;
import java.util.TreeSet;

/**
 * Helidon routing rules that only write down what a service registers: {@code METHOD /path} for every method route,
 * under the prefix it was registered at. Catch-all routes ({@code any}: the 405 answers) are not routes of the API. A
 * route registered any other way cannot be read back, so it fails the test rather than go unseen.
 */
final class RouteRecorder implements HttpRules {

    private final String prefix;
    private final Set<String> routes;

    RouteRecorder() {
        this("", new TreeSet<>());
    }

    private RouteRecorder(String prefix, Set<String> routes) {
        this.prefix = prefix;
        this.routes = routes;
    }

    /** Every {@code METHOD /path} registered so far, prefixes included. */
    Set<String> routes() {
        return Set.copyOf(routes);
    }

    @Override
    public HttpRules register(HttpService... services) {
        for (HttpService service : services) {
            service.routing(new RouteRecorder(prefix, routes));
        }
        return this;
    }

    @Override
    public HttpRules register(String path, HttpService... services) {
        for (HttpService service : services) {
            service.routing(new RouteRecorder(prefix + path, routes));
        }
        return this;
    }

    @Override
    public HttpRules route(HttpRoute route) {
        throw new UnsupportedOperationException("a route registered without its method and path: " + route);
    }

    @Override
    public HttpRules route(Method method, String path, Handler handler) {
        return record(method, path);
    }

    private HttpRules record(Method method, String path) {
        routes.add(method.text() + " " + prefix + path);
        return this;
    }

    @Override
    public HttpRules get(String path, Handler... handlers) {
        return record(Method.GET, path);
    }

    @Override
    public HttpRules post(String path, Handler... handlers) {
        return record(Method.POST, path);
    }

    @Override
    public HttpRules put(String path, Handler... handlers) {
        return record(Method.PUT, path);
    }

    @Override
    public HttpRules delete(String path, Handler... handlers) {
        return record(Method.DELETE, path);
    }

    @Override
    public HttpRules patch(String path, Handler... handlers) {
        return record(Method.PATCH, path);
    }

    @Override
    public HttpRules head(String path, Handler... handlers) {
        return record(Method.HEAD, path);
    }

    @Override
    public HttpRules options(String path, Handler... handlers) {
        return record(Method.OPTIONS, path);
    }

    @Override
    public HttpRules trace(String path, Handler... handlers) {
        return record(Method.TRACE, path);
    }

    @Override
    public HttpRules any(String path, Handler... handlers) {
        return this;
    }
}
