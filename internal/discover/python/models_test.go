package python

import (
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

func TestModelChoicesAndHubEntryPoints(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "parameter checked against a set and a dict of sizes", Files: map[string]string{"model.py": "class GPT:\n    @classmethod\n    def from_pretrained(cls, model_type):\n        assert model_type in {'gpt2', 'gpt2-xl'}\n        cfg = {'gpt2': 1, 'gpt2-medium': 2}[model_type]\n        return GPT2LMHeadModel.from_pretrained(model_type)\n"},
			Want: []string{
				"model gpt2 model.py:6 python.from_pretrained",
				"model gpt2-medium model.py:6 python.from_pretrained",
				"model gpt2-xl model.py:6 python.from_pretrained",
			}},
		{Name: "argparse choices of a model option", Files: map[string]string{"cli.py": "import argparse\np = argparse.ArgumentParser()\np.add_argument('--model', choices=['gpt-4o', 'gpt-4o-mini'])\n"},
			Want: []string{
				"service gpt-4o cli.py:3 python.argparse_choices",
				"service gpt-4o-mini cli.py:3 python.argparse_choices",
			}},
		{Name: "trap: a parameter checked against words", Files: map[string]string{"m.py": "def load(kind):\n    assert kind in {'train', 'eval'}\n    return AutoModel.from_pretrained(kind)\n"},
			Want: nil},
		{Name: "hubconf entry points, with and without a checkpoint URL", Files: map[string]string{"hubconf.py": "dependencies = ['torch']\n\ndef _make(name):\n    return None\n\ndef detr_resnet50(pretrained=False):\n    model = _make('resnet50')\n    if pretrained:\n        ck = torch.hub.load_state_dict_from_url(\n            url='https://dl.example.org/detr/detr-r50.pth', map_location='cpu')\n    return model\n\ndef detr_small():\n    return _make('resnet18')\n"},
			Want: []string{
				"model detr_resnet50 hubconf.py:10 python.hubconf",
				"model detr_small hubconf.py:13 python.hubconf",
			}},
		{Name: "trap: public functions outside hubconf.py", Files: map[string]string{"util.py": "def detr_resnet50():\n    return 1\n"},
			Want: nil},
	})
}

func TestWhisperCheckpoints(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "whisper, faster-whisper and whisperx loaders", Files: map[string]string{"asr.py": "import whisper\nimport whisperx\nfrom faster_whisper import WhisperModel\nm1 = whisper.load_model(\"base.en\")\nm2 = WhisperModel(model_size_or_path=\"large-v3\")\nm3 = whisperx.load_model(\"Systran/faster-whisper-small\")\nm4 = WhisperModel(\"custom\")\n"},
			Want: []string{
				"model Systran/faster-whisper-small asr.py:6 python.whisper",
				"model base.en asr.py:4 python.whisper",
				"model large-v3 asr.py:5 python.whisper",
			}},
		{Name: "trap: another load_model", Files: map[string]string{"k.py": "from tensorflow import keras\nm = keras.models.load_model(\"base\")\n"},
			Want: nil},
	})
}
