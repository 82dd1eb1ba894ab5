package python

import (
	"testing"

	"github.com/mlbom/autopilot/internal/discover/detect/detecttest"
)

func TestDataReadByCode(t *testing.T) {
	detecttest.Check(t, Source{}, []detecttest.Case{
		{Name: "folders, readers, opened files, listed dirs, downloads", Files: map[string]string{
			"data/faces/a/1.png":           "x",
			"evals/eval_cases/triage.json": "[]",
			"evals/run.py":                 "import json, os, glob, requests\nimport pandas as pd\nfrom torchvision import datasets\nds = datasets.ImageFolder('../data/faces')\nwith open('eval_cases/triage.json') as f:\n    cases = json.load(f)\ndf = pd.read_csv('https://example.org/files/data/train.csv')\nfor n in os.listdir('../data/faces'):\n    pass\nurl = 'https://raw.githubusercontent.com/u/r/master/data/tiny/input.txt'\ntext = requests.get(url).text\nmnist = datasets.MNIST('/tmp', download=True)\n",
		},
			Want: []string{
				"dataset MNIST evals/run.py:12 python.dataset_class",
				"dataset data/faces evals/run.py:4 python.data_folder",
				"dataset data/faces evals/run.py:8 python.data_dir",
				"dataset evals/eval_cases/triage.json evals/run.py:5 python.data_read",
				"dataset https://example.org/files/data/train.csv evals/run.py:7 python.data_read",
				"dataset https://example.org/files/data/train.csv evals/run.py:7 python.url",
				"dataset https://raw.githubusercontent.com/u/r/master/data/tiny/input.txt evals/run.py:11 python.download",
			}},
		{Name: "datasets chosen by name", Files: map[string]string{"main.py": "import argparse\np = argparse.ArgumentParser()\np.add_argument('--dataset_file', default='coco')\np.add_argument('--data_split', default='train')\nargs = p.parse_args()\nif args.dataset_file == 'coco_panoptic':\n    pass\nif args.dataset == 'train':\n    pass\n"},
			Want: []string{
				"dataset coco main.py:3 python.argparse_default",
				"dataset coco_panoptic main.py:6 python.dataset_choice",
			}},
		{Name: "trap: configs, writes, temp globs, API calls", Files: map[string]string{
			"data/x.txt": "x",
			"app.py":     "import json, glob, requests\ncfg = json.load(open('config.json'))\nopen('out.csv', 'w').write('a')\nfor f in glob.glob('data/tmp*'):\n    pass\nr = requests.get('https://api.example.org/v1/data')\nr2 = requests.get('https://example.org/index.php')\n"},
			Want: nil},
	})
}
