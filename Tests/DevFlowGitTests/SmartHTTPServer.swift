import DevFlowTestSupport
import Foundation

/// `git http-backend` behind a small Python HTTP server on 127.0.0.1 (ephemeral port) that the test starts and
/// stops: smart HTTP as GitHub and GitLab speak it, with HTTP basic authentication required (401 without the
/// right user and token). Needs `python3` and git's `git-http-backend` (in `git --exec-path`).
final class SmartHTTPServer {
    /// The directory whose bare repositories the server serves (`http://127.0.0.1:PORT/<name>.git`).
    let root: String
    /// The port the server listens on.
    let port: Int
    private let process: Process
    private let input = Pipe()
    private let scratch: String

    /// Starts serving `root`, accepting only `username` with `token`.
    init(root: String, username: String, token: String) throws {
        self.root = root
        scratch =
            FileManager.default.temporaryDirectory.appendingPathComponent("devflow-http-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let script = scratch + "/git_http_server.py"
        try Data(Self.script.utf8).write(to: URL(fileURLWithPath: script))
        let backend = try GitFixture.run(["--exec-path"], in: scratch) + "/git-http-backend"

        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, root, backend, username, token]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            throw ServerDidNotStart()
        }
        self.port = port
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// Closes the server's standard input, on which it exits (a signal would not do: a test process may block
    /// SIGTERM, and its children inherit the mask), and waits for it.
    private func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// The URL of the repository `name` (such as `app.git`) under `root`.
    func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)" }

    /// The server: authentication, then the request handed to git http-backend as a CGI call.
    private static let script = #"""
        import base64, os, signal, subprocess, sys, threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        # The test process may block signals, and its children inherit the mask: let SIGTERM work again.
        signal.pthread_sigmask(signal.SIG_SETMASK, [])

        ROOT, BACKEND, USER, TOKEN = sys.argv[1:5]
        EXPECTED = "Basic " + base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                self.serve()

            def do_POST(self):
                self.serve()

            def read_body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            self.rfile.readline()
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def reply(self, status, headers, body):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def serve(self):
                body = self.read_body()
                if self.headers.get("Authorization") != EXPECTED:
                    # A Content-Type, as real servers send: libgit2 1.5 misreads a 401 body without one.
                    challenge = [("WWW-Authenticate", 'Basic realm="devflow-test"'), ("Content-Type", "text/plain")]
                    self.reply(401, challenge, b"authentication required\n")
                    return
                path, _, query = self.path.partition("?")
                env = {
                    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "GIT_PROJECT_ROOT": ROOT, "GIT_HTTP_EXPORT_ALL": "1", "GIT_CONFIG_NOSYSTEM": "1",
                    "GIT_CONFIG_GLOBAL": "/dev/null", "GATEWAY_INTERFACE": "CGI/1.1",
                    "REQUEST_METHOD": self.command, "PATH_INFO": path, "QUERY_STRING": query,
                    "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(body)),
                    "REMOTE_USER": USER, "REMOTE_ADDR": "127.0.0.1",
                }
                for header, variable in [("Content-Encoding", "HTTP_CONTENT_ENCODING"), ("Git-Protocol", "GIT_PROTOCOL")]:
                    if self.headers.get(header):
                        env[variable] = self.headers[header]
                output = subprocess.run([BACKEND], input=body, env=env, capture_output=True).stdout
                separator = b"\r\n\r\n" if b"\r\n\r\n" in output else b"\n\n"
                head, _, payload = output.partition(separator)
                status, headers = 200, []
                for line in head.decode("latin-1").splitlines():
                    name, _, value = line.partition(":")
                    if name.lower() == "status":
                        status = int(value.strip().split()[0])
                    elif name:
                        headers.append((name.strip(), value.strip()))
                self.reply(status, headers, payload)

        def exit_when_stdin_closes():
            sys.stdin.buffer.read()
            os._exit(0)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#
}

/// The git HTTP test server printed no port: python3 (3.7 or later) is missing or the script failed.
struct ServerDidNotStart: Error, CustomStringConvertible {
    var description: String { "the git HTTP test server did not start (is python3 installed?)" }
}
