package prog

type Edge struct {
	From, To *Node
	Graph    *Graph
	Weight   int
}

type Graph struct {
	Nodes map[string]*Node
	Edges []*Edge
	Visit func(*Node) []*Node
	Root  Tree
}

type Node struct {
	Name  string
	In    []Edge
	Out   []*Edge
	Index map[string]*Edge
	Graph *Graph
}

// Tree holds Stores by value in Items, which point back to it.
type Tree struct {
	kids  map[string]*Tree
	store *Store
}

type Store struct {
	root  Tree
	items [2]Item
	meta  struct{ t Tree }
}

type Item struct {
	owner *Store
	tree  Tree
	name  string
}

// Stores fills a store whose parts point back to it.
//
//microfn:service
func Stores(name string) []string {
	s := &Store{}
	s.root.kids = map[string]*Tree{name: {store: s}}
	s.items[1] = Item{owner: s, tree: Tree{store: s}, name: name}
	s.meta.t.store = s
	return []string{s.items[1].name, s.root.kids[name].store.items[1].name, s.meta.t.store.items[1].tree.store.items[1].name}
}
