// Starts a real Neo4j Community DBMS (embedded) with the Bolt connector on 127.0.0.1.
// Run in single-file source mode: java -cp <resolved jars> Launcher.java HOME PORT [PASSWORD]
// Prints "READY <port>" once Bolt accepts connections; shuts down cleanly when standard
// input closes or on SIGTERM. Used by the tests and the benchmarks, never by the product.
import java.nio.file.Path;
import java.util.Map;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

public class Launcher {
    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        String password = args.length > 2 ? args[2] : null;
        long pageCacheMb = Long.parseLong(System.getProperty("innograph.pagecache.mb", "256"));
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, password != null)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .build();
        if (password != null) {
            try {
                dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                        "ALTER USER neo4j SET PASSWORD $p CHANGE NOT REQUIRED", Map.of("p", password));
            } catch (RuntimeException e) {
                // a restart on the same home: the password was set by the first start
                if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                    dbms.shutdown();  // otherwise the DBMS threads keep the JVM alive without READY
                    throw e;
                }
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown));
        System.out.println("READY " + port);
        System.out.flush();
        while (System.in.read() != -1) {
            // block until the parent closes our standard input
        }
        System.exit(0);
    }
}
