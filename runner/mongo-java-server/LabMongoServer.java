import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * mongo-java-server (memory backend) as the lab's `mongo` service: usage `LabMongoServer <host> <port>`.
 * It reports MongoDB 4.0 / wire 7 by default, which the current Node driver refuses (it needs 4.2+), so it reports
 * 6.0 / wire 17 instead; buildInfo also carries `labServer`, so micro and the results can say which server ran
 * (it is not MongoDB: only unique indexes are built, one lock per collection, data in memory).
 */
public final class LabMongoServer {
  static final String NAME = "mongo-java-server 1.46.0 (memory)";

  private static final MongoVersion REPORTED =
      new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
          return List.of(6, 0, 0);
        }

        @Override
        public int getWireVersion() {
          return 17;
        }
      };

  private static final class Backend extends MemoryBackend {
    @Override
    public Document handleCommand(Channel channel, String db, String command, Document query) {
      Document reply = super.handleCommand(channel, db, command, query);
      if (command.equalsIgnoreCase("buildinfo")) reply.put("labServer", NAME);
      return reply;
    }
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length == 1 && args[0].equals("--version")) {
      System.out.println(NAME);
      return;
    }
    if (args.length != 2) {
      System.err.println("usage: LabMongoServer <host> <port>");
      System.exit(2);
    }
    MongoServer server = new MongoServer(new Backend().version(REPORTED));
    // One acceptor thread and as many I/O workers as the JVM sees processors (the service's cpuset).
    int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
    server.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 1, workers);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      stopped.countDown();
    }));
    System.err.println(NAME + " reporting MongoDB 6.0 on " + args[0] + ":" + args[1]);
    stopped.await();
  }
}
