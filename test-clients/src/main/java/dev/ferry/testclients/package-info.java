/** Sample and misbehaving clients, and the scenario and benchmark drivers. */
package dev.ferry.testclients;
