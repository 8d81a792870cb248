// assay verify: every rule, with the key material the verifier trusts; the contract scripts and
// CI rely on (exit codes, JSON schema, NDJSON batch mode).
#include <algorithm>
#include <condition_variable>
#include <exception>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "assay/request.h"
#include "assay/terminal.h"
#include "assay/verify.h"
#include "common.h"
#include "render.h"

namespace assay::cli {
namespace {

struct VerifyCmdOptions {
  std::string input;
  KeyOptions keys;
  PolicyOptions policy;
  std::string format = "text";
  std::string fail_on = "error";
  std::string batch;
  bool batch_text = false;  // --batch with an explicit --format text
  unsigned jobs = 0;
};

void render_text(const Report& r, InputKind kind, Severity fail_on, const Io& io) {
  const Paint p{io.color};
  const bool ok = r.passes(fail_on);
  io.out << (ok ? p.green("VALID") : p.red("INVALID")) << "  " << findings_summary(r) << "\n";
  io.out << p.bold("profile") << "    " << profile_name(r.profile);
  if (r.profile_inferred) {
    io.out << " " << p.dim("(" + terminal_safe(r.profile_reason) + ")");
  }
  io.out << "\n" << p.bold("input") << "      " << input_kind_name(kind) << "\n";
  io.out << p.bold("expected") << "   client "
         << (r.expected_client_id.empty() ? p.dim("(not given)")
                                          : terminal_safe(r.expected_client_id))
         << ", aud "
         << (r.expected_audience.empty() ? p.dim("(not given: aud value not compared)")
                                         : terminal_safe(r.expected_audience));
  if (r.profile == Profile::kEntra && r.endpoint != EntraEndpoint::kUnknown) {
    io.out << " (" << entra_endpoint_name(r.endpoint) << ")";
  }
  io.out << "\n\n";
  render_decoded_text(r, io.out, p);
  io.out << "\n";
  render_findings_text(r, io.out, p);
}

// --batch: a pipeline of chunks of input lines. The main thread reads chunks (std::getline's
// line splitting, without a copy per line) and writes finished chunks in input order; with
// --jobs N, N workers verify the chunks in between, each into one NDJSON buffer. At most
// kChunksPerJob * N chunks are in memory at a time.
struct BatchChunk {
  size_t first_line = 0;  // the 1-based number of lines[0]
  std::string text;       // the bytes `lines` point into
  std::vector<std::string_view> lines;
  std::string out;  // the NDJSON lines, each ending in '\n'
  bool invalid = false;
};

constexpr size_t kChunkLines = 256;
constexpr size_t kChunksPerJob = 4;

// Splits an input stream into lines exactly as std::getline does ('\n' only; a last line
// without '\n' counts; no empty line after a final '\n'), a chunk at a time.
class LineReader {
 public:
  explicit LineReader(std::istream& in) : in_(in) {}

  // Fills `c` with up to `max_lines` lines; false when the input is exhausted.
  bool next(BatchChunk& c, size_t max_lines) {
    constexpr size_t kReadBytes = 256 * 1024;
    c.text.swap(pending_);
    pending_.clear();
    c.lines.clear();
    std::vector<std::pair<size_t, size_t>> spans;  // (start, length) into c.text
    size_t start = 0;
    size_t scanned = 0;
    while (spans.size() < max_lines) {
      const size_t nl = c.text.find('\n', scanned);
      if (nl != std::string::npos) {
        spans.emplace_back(start, nl - start);
        start = scanned = nl + 1;
        continue;
      }
      scanned = c.text.size();
      if (eof_) {
        if (start < c.text.size()) {
          spans.emplace_back(start, c.text.size() - start);
          start = c.text.size();
        }
        break;
      }
      const size_t old = c.text.size();
      c.text.resize(old + kReadBytes);
      in_.read(c.text.data() + old, static_cast<std::streamsize>(kReadBytes));
      const auto got = static_cast<size_t>(in_.gcount());
      c.text.resize(old + got);
      eof_ = got < kReadBytes;
    }
    pending_.assign(c.text, start, std::string::npos);
    for (const auto& [pos, len] : spans) {
      c.lines.emplace_back(c.text.data() + pos, len);
    }
    return !c.lines.empty();
  }

 private:
  std::istream& in_;
  std::string pending_;  // bytes read beyond the last line handed out
  bool eof_ = false;
};

// How --batch writes each line's verdict: NDJSON, or with --format text one line of text.
struct BatchFormat {
  Severity fail_on = Severity::kError;
  bool text = false;
  Paint paint;
};

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r\v\f") == std::string_view::npos;
}

void verify_chunk(BatchChunk& c, const KeySet& ks, const Policy& policy, const BatchFormat& f) {
  c.out.clear();
  c.invalid = false;
  for (size_t i = 0; i < c.lines.size(); ++i) {
    if (is_blank(c.lines[i])) {
      continue;  // a blank line (a trailing one, a separator) is no input
    }
    const size_t n = c.first_line + i;
    auto r = verify_input(c.lines[i], ks, policy);
    if (!r) {
      if (f.text) {
        append_batch_error_text(n, r.error().message, f.paint, c.out);
      } else {
        append_batch_error_line(n, r.error().message, c.out);
      }
      c.invalid = true;
    } else {
      if (f.text) {
        append_batch_text(*r, n, f.fail_on, f.paint, c.out);
      } else {
        append_batch_line(*r, n, f.fail_on, c.out);
      }
      c.invalid = c.invalid || !r->passes(f.fail_on);
    }
    c.out += '\n';
  }
}

// The chunks in flight and who may touch them: slot s % size holds chunk s. The main thread
// fills chunks [written, written + size) and writes chunk `written` once it is done; workers
// claim chunks [claimed, read).
class BatchPipeline {
 public:
  BatchPipeline(unsigned jobs, const KeySet& ks, const Policy& policy, const BatchFormat& f)
      : slots_(kChunksPerJob * jobs), done_(slots_.size(), false) {
    for (unsigned t = 0; t < jobs; ++t) {
      workers_.emplace_back([this, &ks, &policy, f] { work(ks, policy, f); });
    }
  }
  BatchPipeline(const BatchPipeline&) = delete;
  BatchPipeline& operator=(const BatchPipeline&) = delete;
  ~BatchPipeline() { stop(); }

  // Runs the whole batch; true when some line was invalid. Rethrows what a worker threw.
  bool run(LineReader& reader, std::ostream& out) {
    bool invalid = false;
    size_t line = 1;
    for (;;) {
      while (!input_done_ && read_ < written_ + slots_.size()) {
        BatchChunk& c = slots_[read_ % slots_.size()];  // free: no worker holds it
        c.first_line = line;
        const bool more = reader.next(c, kChunkLines);
        line += c.lines.size();
        std::lock_guard<std::mutex> lock(mu_);
        if (more) {
          ++read_;
        } else {
          input_done_ = true;
        }
        work_cv_.notify_all();
      }
      std::unique_lock<std::mutex> lock(mu_);
      if (written_ == read_) {
        break;  // input_done_, and everything written
      }
      done_cv_.wait(lock, [&] { return done_[written_ % slots_.size()] || error_; });
      if (error_) {
        lock.unlock();
        stop();
        std::rethrow_exception(error_);
      }
      done_[written_ % slots_.size()] = false;
      lock.unlock();
      const BatchChunk& c = slots_[written_ % slots_.size()];
      out.write(c.out.data(), static_cast<std::streamsize>(c.out.size()));
      invalid = invalid || c.invalid;
      lock.lock();
      ++written_;
    }
    return invalid;
  }

 private:
  void work(const KeySet& ks, const Policy& policy, const BatchFormat& f) {
    for (;;) {
      size_t s = 0;
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_cv_.wait(lock, [&] { return claimed_ < read_ || input_done_ || stopping_; });
        if (claimed_ == read_ || stopping_) {
          return;
        }
        s = claimed_++;
      }
      std::exception_ptr failure;
      try {
        verify_chunk(slots_[s % slots_.size()], ks, policy, f);
      } catch (...) {
        failure = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mu_);
      done_[s % slots_.size()] = true;
      if (failure && !error_) {
        error_ = failure;
      }
      done_cv_.notify_all();
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      work_cv_.notify_all();
    }
    for (std::thread& t : workers_) {
      if (t.joinable()) {
        t.join();
      }
    }
  }

  std::vector<BatchChunk> slots_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::vector<bool> done_;
  size_t read_ = 0;     // chunks filled
  size_t claimed_ = 0;  // chunks taken by a worker
  size_t written_ = 0;  // chunks written
  bool input_done_ = false;
  bool stopping_ = false;
  std::exception_ptr error_;
  std::vector<std::thread> workers_;
};

int run_batch(const VerifyCmdOptions& o, const KeySet& ks, const Policy& policy, Severity fail_on,
              const Io& io) {
  std::unique_ptr<std::istream> file;
  std::istream* in = &io.in;
  if (o.batch != "-") {
    auto f = std::make_unique<std::ifstream>(o.batch, std::ios::binary);
    if (!*f) {
      return report_error(io, Error{ErrorCode::kIo, "", o.batch + ": cannot open", ""});
    }
    file = std::move(f);
    in = file.get();
  }
  const unsigned jobs = o.jobs > 0 ? o.jobs : std::max(1U, std::thread::hardware_concurrency());
  const BatchFormat format{fail_on, o.batch_text, Paint{io.color}};
  LineReader reader(*in);
  bool invalid = false;
  if (jobs == 1) {
    BatchChunk c;
    c.first_line = 1;
    while (reader.next(c, kChunkLines)) {
      verify_chunk(c, ks, policy, format);
      io.out.write(c.out.data(), static_cast<std::streamsize>(c.out.size()));
      invalid = invalid || c.invalid;
      c.first_line += c.lines.size();
    }
  } else {
    BatchPipeline pipeline(jobs, ks, policy, format);
    invalid = pipeline.run(reader, io.out);
  }
  io.out.flush();
  return invalid ? kExitFindings : kExitOk;
}

int run_verify(const VerifyCmdOptions& o, const Io& io) {
  auto policy = o.policy.build();
  if (!policy) {
    return report_error(io, policy.error());
  }
  auto ks = o.keys.load_keyset(io.in);
  if (!ks) {
    return report_error(io, ks.error());
  }
  const Severity fail_on = parse_severity(o.fail_on);
  if (!o.batch.empty()) {
    return run_batch(o, *ks, *policy, fail_on, io);
  }
  auto text = read_input_arg(o.input, io.in);
  if (!text) {
    return report_error(io, text.error());
  }
  auto parsed = parse_input(*text);
  if (!parsed) {
    return report_error(io, parsed.error());
  }
  auto report = verify_input(*text, *ks, *policy);
  if (!report) {
    return report_error(io, report.error());
  }
  if (o.format == "json") {
    Json out;
    report_to_json(*report, out, fail_on, parsed->kind, /*inspect=*/false);
    io.out << out.dump(2) << "\n";
  } else {
    render_text(*report, parsed->kind, fail_on, io);
  }
  return report->passes(fail_on) ? kExitOk : kExitFindings;
}

}  // namespace

Command add_verify_command(CLI::App& parent, bool with_options) {
  auto opts = std::make_shared<VerifyCmdOptions>();
  CLI::App* app = parent.add_subcommand(
      "verify",
      "Check an assertion against every rule, with the key material you trust, and say exactly "
      "what Entra or another token endpoint would reject");
  if (!with_options) {
    return {app, nullptr};
  }
  auto* input = app->add_option("input", opts->input,
                                "The assertion, a whole form body, or JSON with client_assertion; "
                                "'-' or nothing for stdin, @FILE for a file");
  opts->keys.add_to(*app, /*for_signing=*/false);
  opts->policy.add_to(*app);
  add_format_option(*app, opts->format);
  CLI::Option* format = app->get_option("--format");
  app->add_option("--fail-on", opts->fail_on, "Exit 1 on findings at or above: error or warning")
      ->check(CLI::IsMember({"error", "warning"}));
  auto* batch = app->add_option("--batch", opts->batch,
                                "Verify one input per line of FILE ('-' for stdin), skipping blank "
                                "lines; writes one JSON object per line (NDJSON) in input order, "
                                "or with an explicit --format text one line of text per input");
  batch->excludes(input);
  app->add_option("--jobs", opts->jobs, "Threads for --batch (default: all cores)")->needs(batch);
  app->footer(
      "Exit codes: 0 no finding at or above --fail-on; 1 findings (or, with --batch, any input "
      "with findings); 2 usage error; 3 runtime error (unreadable file or key).\n"
      "JSON output schema: docs/json-output.md.");
  return {app, [opts, format](const Io& io) {
            opts->batch_text = format->count() > 0 && opts->format == "text";
            return run_verify(*opts, io);
          }};
}

}  // namespace assay::cli
