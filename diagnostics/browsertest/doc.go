// Package browsertest drives a real headless Chromium for dusk's
// end-to-end tests of its web pages (the dashboard and the performance
// report): it finds the browser, starts it with a fresh profile and the
// flags that keep it off the network, and collects console errors.
package browsertest
