package modelscan

import "testing"

func TestSmoke(t *testing.T) {
	r := scanBytes(t, "x.pkl", osSystem())
	t.Logf("%+v", r)
	r = scanBytes(t, "model.pt", torchZip(t, torchStateDict("weight", "bias")))
	t.Logf("%+v", r)
	r = scanBytes(t, "sd.pkl", torchStateDict("weight", "bias"))
	t.Logf("%+v", r)
}
