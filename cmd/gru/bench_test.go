package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// BenchmarkSchemaCommandCold runs the built gru binary as a new process for each iteration:
// `gru schema Storage::PrivateEndpointConnection`, cold start to exit. It reports the peak
// resident memory of the process and the binary's size.
func BenchmarkSchemaCommandCold(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "gru")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	st, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}
	var peakKB int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "schema", "Storage::PrivateEndpointConnection")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > peakKB {
			peakKB = ru.Maxrss
		}
	}
	b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MB")
	b.ReportMetric(float64(st.Size())/(1<<20), "binary-MB")
}
