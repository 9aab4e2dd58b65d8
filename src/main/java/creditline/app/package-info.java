/** Configuration, wiring and the command line: plain code, no DI container. */
package creditline.app;
