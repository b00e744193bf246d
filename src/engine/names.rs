//! Python's default names for threads and processes, in one place: since Python 3.10 a thread started
//! with a target is "Thread-N (target)", one without (a `Thread` subclass, a `Timer`) "Thread-N", and a
//! process "Process-N", with N counting up from 1 in each program. The lessons name their threads this
//! way so that the timeline reads like a Python program's `threading.current_thread().name`.

/// The names one program hands out, in order.
#[derive(Default, Debug, Clone)]
pub struct Names {
    threads: u32,
    processes: u32,
}

impl Names {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next thread's name, started with `target`: "Thread-N (target)".
    pub fn thread(&mut self, target: &str) -> String {
        self.threads += 1;
        thread_name(self.threads, target)
    }

    /// The next thread's name, started without a target: "Thread-N".
    pub fn plain_thread(&mut self) -> String {
        self.threads += 1;
        format!("Thread-{}", self.threads)
    }

    /// The next process's name: "Process-N".
    pub fn process(&mut self) -> String {
        self.processes += 1;
        format!("Process-{}", self.processes)
    }
}

/// Thread number `n`'s name when started with `target`: "Thread-n (target)".
pub fn thread_name(n: impl std::fmt::Display, target: &str) -> String {
    format!("Thread-{n} ({target})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_count_up_like_pythons() {
        let mut names = Names::new();
        assert_eq!(names.thread("worker"), "Thread-1 (worker)");
        assert_eq!(names.plain_thread(), "Thread-2");
        assert_eq!(names.process(), "Process-1");
        assert_eq!(thread_name(7, "scrape"), "Thread-7 (scrape)");
    }
}
