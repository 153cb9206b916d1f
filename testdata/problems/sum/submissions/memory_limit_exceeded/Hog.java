import java.util.*;
public class Main {
    public static void main(String[] args) {
        List<long[]> l = new ArrayList<>();
        for (int i = 0; i < 64; i++) l.add(new long[1 << 20]);
        System.out.println(l.size());
    }
}
