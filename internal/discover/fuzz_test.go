package discover

import (
	"context"
	"testing"
	"testing/fstest"
)

func FuzzPython(f *testing.F) {
	f.Add([]byte("M = 'a/b'\nAutoModel.from_pretrained(M)\n"))
	f.Add([]byte("x = f'{x}'\nfrom_pretrained(x)\ndef f(a=f(a)):\n  pass\n"))
	f.Add([]byte("A = B\nB = A\nfrom_pretrained(A)\n"))
	f.Add([]byte("@tool(\ndef (\n[{'type':'function','function':{'name':"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := Discover(context.Background(), fstest.MapFS{"a.py": {Data: data}, "a.js": {Data: data}}, Options{Workers: 1}); err != nil {
			t.Fatal(err)
		}
	})
}
